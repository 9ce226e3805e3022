/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: a guest taking its host's model (libvirt's x86UpdateHostModel),
 * which every driver's update does the same way */
#include "drivers/host-model-private.h"

/* Sets @name's policy in @def, appending it when absent. */
static void
update_feature(CsCpuDef *def, const char *name, CsFeaturePolicy policy)
{
    int i = cs_cpu_def_find_feature(def, name);

    if (i >= 0)
        g_array_index(def->features, CsCpuFeature, i).policy = policy;
    else
        cs_cpu_def_append_feature(def, name, policy);
}

void
cs_cpu_def_take_host_model(CsCpuDef *guest, const CsCpuDef *host)
{
    g_autoptr(CsCpuDef) updated = cs_cpu_def_new(CS_CPU_TYPE_GUEST);

    for (guint i = 0; i < host->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(host->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(updated, f->name,
                                  f->policy == CS_FEATURE_POLICY_NONE ?
                                  CS_FEATURE_REQUIRE : f->policy);
    }
    for (guint i = 0; i < guest->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);

        update_feature(updated, f->name, f->policy);
    }

    /* a custom guest keeps its vendor; a host-model one takes the host's,
     * keeping its own vendor_id if it has one */
    if (guest->mode != CS_CPU_MODE_CUSTOM) {
        g_free(guest->vendor);
        guest->vendor = g_strdup(host->vendor);
        if (!guest->vendor_id)
            guest->vendor_id = g_strdup(host->vendor_id);
    }
    g_free(guest->model);
    guest->model = g_strdup(host->model);
    cs_cpu_def_clear_features(guest);
    for (guint i = 0; i < updated->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(updated->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(guest, f->name, f->policy);
    }
    guest->mode = CS_CPU_MODE_CUSTOM;
    guest->match = CS_CPU_MATCH_EXACT;
}
