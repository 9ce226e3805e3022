/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: which map models a CPU can run (domain capabilities' view)
 *
 * A model is usable on raw data exactly when an exact guest of the model
 * is not incompatible with that data decoded as a host CPU for missing
 * features: both see the data as decoding sees it (broken TSX dropped) and
 * a model as its own features (not those added to it later).
 */
#include "x86-private.h"

void
cs_x86_model_blocker_indices(const CsCpuMap *map, const CsWord *data_vec, guint model,
                             GArray *out)
{
    CsWord stack[64];
    g_autofree CsWord *heap = NULL;
    CsWord *vec = stack;
    const CsMapModel *m = &map->t.models[model];

    if (map->t.n_words + 1 > G_N_ELEMENTS(stack))
        vec = heap = cs_vec_new(map);
    for (guint w = 0; w < map->t.n_words; w++)
        vec[w] = m->vec[w] & ~data_vec[w];
    cs_x86_vec_features(map, vec, out);
}

char **
cs_cpu_model_blockers(const CsCpuMap *map, const CsCpuidData *data, guint model)
{
    g_autofree CsWord *vec = NULL;
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint16));
    char **names;

    g_return_val_if_fail(map != NULL && data != NULL, NULL);
    g_return_val_if_fail(model < map->t.n_models, NULL);
    vec = cs_vec_new(map);
    cs_x86_data_vec(map, data, vec);
    cs_x86_model_blocker_indices(map, vec, model, idx);
    names = g_new0(char *, idx->len + 1);
    for (guint i = 0; i < idx->len; i++)
        names[i] = g_strdup(map->t.features[g_array_index(idx, guint16, i)].name);
    return names;
}
