/* libcpusel: x86 driver helpers: CPU definitions as bit vectors */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "error-private.h"
#include "x86-private.h"

CsWord *
cs_x86_def_to_vec(const CsCpuMap *map, const CsCpuDef *def, int policy, GError **error)
{
    g_autofree CsWord *vec = cs_vec_new(map);

    /* a host CPU only has required features */
    if (def->type == CS_CPU_TYPE_HOST && policy != CS_FEATURE_REQUIRE &&
        policy != CS_X86_ALL)
        return g_steal_pointer(&vec);

    if (def->model && (policy == CS_FEATURE_REQUIRE || policy == CS_X86_ALL)) {
        int mi = cs_cpu_map_lookup_model(map, def->model);

        if (mi < 0) {
            g_autofree char *shown = cs_shown(def->model);

            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_MODEL,
                        "unknown CPU model '%s'", shown);
            return NULL;
        }
        memcpy(vec, map->t.models[mi].vec, sizeof(CsWord) * map->t.n_words);
    }

    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);
        CsFeaturePolicy fpol = f->policy == CS_FEATURE_POLICY_NONE ?
                               CS_FEATURE_REQUIRE : f->policy;
        int fi;

        if ((policy == CS_X86_ALL && fpol == CS_FEATURE_OPTIONAL) ||
            (policy != CS_X86_ALL && (int) fpol != policy))
            continue;
        if ((fi = cs_cpu_map_lookup_feature(map, f->name)) < 0) {
            g_autofree char *shown = cs_shown(f->name);

            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_FEATURE,
                        "unknown CPU feature '%s'", shown);
            return NULL;
        }
        if (policy != CS_X86_ALL || fpol == CS_FEATURE_FORCE || fpol == CS_FEATURE_REQUIRE)
            cs_vec_add_feature(vec, &map->t.features[fi]);
        else if (fpol == CS_FEATURE_DISABLE || fpol == CS_FEATURE_FORBID)
            cs_vec_del_feature(vec, &map->t.features[fi]);
    }
    return g_steal_pointer(&vec);
}
