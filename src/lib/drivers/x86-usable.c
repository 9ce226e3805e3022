/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's usable models: which map models a CPU can run
 * (domain capabilities' view)
 *
 * A model is usable on raw data exactly when an exact guest of the model
 * is not incompatible with that data decoded as a host CPU for missing
 * features: both see the data as decoding sees it (broken TSX dropped) and
 * a model as its own features (not those added to it later).
 */
#include "drivers/x86-private.h"

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
