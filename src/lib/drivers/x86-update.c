/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's update of a guest CPU against a host (libvirt's
 * x86Update): optional features resolved on the host's bits, removed
 * features given their policy */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "drivers/x86-private.h"
#include "drivers/host-model-private.h"

/* Features the guest's model once had get @policy unless listed (libvirt
 * 12.8's removedPolicy; 9.0 always disabled them). */
static gboolean
add_removed(const CsCpuMap *map, CsCpuDef *guest, CsFeaturePolicy policy, GError **error)
{
    int mi = guest->model ? cs_cpu_map_lookup_model(map, guest->model) : -1;

    if (mi < 0) {
        return cs_unknown_model_error(map, guest->model ? guest->model : "", error);
    }
    for (guint r = 0; r < map->t.models[mi].n_removed; r++) {
        const char *name = map->t.features[map->t.models[mi].removed[r]].name;

        if (cs_cpu_def_find_feature(guest, name) < 0)
            cs_cpu_def_append_feature(guest, name, policy);
    }
    return TRUE;
}

gboolean
cs_x86_update(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
              CsFeaturePolicy removed_policy, GError **error)
{
    g_autofree CsWord *host_vec = NULL;

    if (host) {
        if (!(host_vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, error)))
            return FALSE;
        for (guint i = 0; i < guest->features->len; i++) {
            CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);
            int fi;

            if (f->policy != CS_FEATURE_OPTIONAL)
                continue;
            if ((fi = cs_cpu_map_lookup_feature(map, f->name)) < 0)
                return cs_unknown_feature_error(map, f->name, error);
            f->policy = cs_vec_has_feature(host_vec, &map->t.features[fi]) ?
                        CS_FEATURE_REQUIRE : CS_FEATURE_DISABLE;
        }
        if (guest->mode == CS_CPU_MODE_HOST_MODEL || guest->match == CS_CPU_MATCH_MINIMUM)
            cs_cpu_def_take_host_model(guest, host);
    }
    return add_removed(map, guest, removed_policy, error);
}
