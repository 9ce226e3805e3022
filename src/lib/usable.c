/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: which map models a CPU can run (domain capabilities' view) */
#include "x86-private.h"

char **
cs_cpu_model_blockers(const CsCpuMap *map, const CsCpuidData *data, guint model)
{
    g_autofree CsWord *vec = NULL;
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint16));
    const CsMapModel *m;
    char **names;

    g_return_val_if_fail(map != NULL && data != NULL, NULL);
    g_return_val_if_fail(model < map->t.n_models, NULL);
    m = &map->t.models[model];
    vec = cs_vec_new(map);
    cs_x86_host_vec(map, data, vec);
    for (guint w = 0; w < map->t.n_words; w++)
        vec[w] = m->vec[w] & ~vec[w];
    cs_x86_vec_features(map, vec, idx);
    names = g_new0(char *, idx->len + 1);
    for (guint i = 0; i < idx->len; i++)
        names[i] = g_strdup(map->t.features[g_array_index(idx, guint16, i)].name);
    return names;
}
