/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's encoding of a CPU definition as raw data per
 * policy (libvirt's x86Encode) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "core/error-private.h"
#include "drivers/x86-private.h"

gboolean
cs_x86_encode(const CsCpuMap *map, const CsCpuDef *def, CsCpuidData **out_data,
              GError **error)
{
    static const CsFeaturePolicy policies[] = {
        [CS_ENCODE_FORCED] = CS_FEATURE_FORCE,
        [CS_ENCODE_REQUIRED] = CS_FEATURE_REQUIRE,
        [CS_ENCODE_OPTIONAL] = CS_FEATURE_OPTIONAL,
        [CS_ENCODE_DISABLED] = CS_FEATURE_DISABLE,
        [CS_ENCODE_FORBIDDEN] = CS_FEATURE_FORBID,
    };
    CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
    gboolean ok = TRUE;

    for (guint s = CS_ENCODE_FORCED; s < CS_ENCODE_VENDOR && ok; s++) {
        g_autofree CsWord *vec = cs_cpu_def_to_vec(map, def, policies[s], error);

        if (!vec)
            ok = FALSE;
        else
            sets[s] = cs_cpu_map_vec_to_data(map, vec);
    }
    if (ok) {
        int v = def->vendor ? cs_cpu_map_lookup_vendor(map, def->vendor) : -1;

        if (def->vendor && v < 0) {
            g_autofree char *shown = cs_shown(def->vendor);

            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                        "unknown CPU vendor '%s'", shown);
            ok = FALSE;
        } else {
            sets[CS_ENCODE_VENDOR] = cs_cpuid_data_new();
            if (v >= 0) {
                const CsMapVendor *mv = &map->t.vendors[v];
                CsCpuidLeaf leaf = { .eax_in = 0, .ebx = mv->ebx, .ecx = mv->ecx,
                                     .edx = mv->edx };

                cs_cpuid_data_add_leaf(sets[CS_ENCODE_VENDOR], &leaf);
            }
        }
    }
    if (!ok) {
        for (guint s = 0; s < CS_ENCODE_LAST; s++)
            cs_cpuid_data_free(sets[s]);
        return FALSE;
    }
    for (guint s = 0; s < CS_ENCODE_LAST; s++)
        out_data[s] = sets[s];
    return TRUE;
}
