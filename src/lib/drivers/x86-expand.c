/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's feature expansion: a CPU definition's model
 * replaced by the model's features, as an explicit name-sorted list
 * (libvirt's virCPUExpandFeatures) */
#include <string.h>
#include "drivers/x86-private.h"

static int
feature_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const CsCpuFeature *) a)->name, ((const CsCpuFeature *) b)->name);
}

gboolean
cs_x86_expand(const CsCpuMap *map, CsCpuDef *def, GError **error)
{
    gboolean host;
    int mi;
    g_autofree CsWord *vec = NULL;
    g_autoptr(CsCpuDef) expanded = NULL;
    const CsMapModel *m;

    host = def->type == CS_CPU_TYPE_HOST;
    if (!def->model || (mi = cs_cpu_map_lookup_model(map, def->model)) < 0) {
        return cs_unknown_model_error(map, def->model ? def->model : "", error);
    }
    m = &map->t.models[mi];
    expanded = cs_cpu_def_new(def->type);
    vec = cs_vec_new(map);
    memcpy(vec, m->vec, sizeof(CsWord) * map->t.n_words);
    cs_x86_vec_to_def(map, vec, expanded,
                      host ? CS_FEATURE_POLICY_NONE : CS_FEATURE_REQUIRE);
    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);

        if (!host && f->policy != CS_FEATURE_REQUIRE && f->policy != CS_FEATURE_DISABLE)
            continue;
        cs_cpu_def_add_feature(expanded, f->name, f->policy);
    }
    if (!host) {
        /* features the model lost are disabled unless the CPU lists them */
        for (guint r = 0; r < m->n_removed; r++) {
            const char *name = map->t.features[m->removed[r]].name;

            if (cs_cpu_def_find_feature(expanded, name) < 0)
                cs_cpu_def_append_feature(expanded, name, CS_FEATURE_DISABLE);
        }
    }
    g_array_sort(expanded->features, feature_name_cmp);
    cs_cpu_def_clear_features(def);
    for (guint i = 0; i < expanded->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(expanded->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(def, f->name, f->policy);
    }
    return TRUE;
}
