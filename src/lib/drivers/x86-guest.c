/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's guest CPU data: the CPU a hypervisor gives a
 * guest on a host (libvirt's former cpuGuestData + cpuDecode) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "drivers/x86-private.h"
#include "core/decode-options-private.h"
#include "core/guest-options-private.h"

/* The vendor leaf of vendor @name into @data. */
static gboolean
add_vendor(const CsCpuMap *map, const char *name, CsCpuidData *data, GError **error)
{
    int v = cs_cpu_map_lookup_vendor(map, name);
    CsCpuidLeaf leaf = { .eax_in = 0 };

    if (v < 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR, "unknown CPU vendor '%s'",
                    name);
        return FALSE;
    }
    leaf.ebx = map->t.vendors[v].ebx;
    leaf.ecx = map->t.vendors[v].ecx;
    leaf.edx = map->t.vendors[v].edx;
    cs_cpuid_data_add_leaf(data, &leaf);
    return TRUE;
}

/* host-passthrough and maximum: the guest gets the host's CPU with its own
 * feature overrides (forced and required on, disabled and forbidden off);
 * the definition stays in that mode, naming no model. */
static gboolean
passthrough_data(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                 CsCpuDef **out_def, CsCpuidData **out_data, GError **error)
{
    g_autofree CsWord *vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, error);
    g_autoptr(CsCpuidData) data = NULL;

    if (!vec)
        return FALSE;
    for (guint i = 0; i < guest->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);
        int fi = cs_cpu_map_lookup_feature(map, f->name);

        if (fi < 0)
            return cs_unknown_feature_error(map, f->name, error);
        if (f->policy == CS_FEATURE_DISABLE || f->policy == CS_FEATURE_FORBID)
            cs_vec_del_feature(vec, &map->t.features[fi]);
        else if (f->policy != CS_FEATURE_OPTIONAL)
            cs_vec_add_feature(vec, &map->t.features[fi]);
    }
    data = cs_cpu_map_vec_to_data(map, vec);
    if (host->vendor && !add_vendor(map, host->vendor, data, error))
        return FALSE;
    if (out_def) {
        CsCpuDef *def = cs_cpu_def_copy(guest);

        def->type = CS_CPU_TYPE_GUEST;
        g_clear_pointer(&def->arch, g_free);
        *out_def = def;
    }
    if (out_data)
        *out_data = g_steal_pointer(&data);
    return TRUE;
}

/* With a hypervisor that gives only what the host has (KVM), a forced
 * feature the host lacks cannot be given either. */
static gboolean
check_forced(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
             GError **error)
{
    g_autofree CsWord *forced = NULL;
    g_autofree CsWord *have = NULL;
    g_auto(GStrv) names = NULL;
    g_autofree char *list = NULL;

    if (!(forced = cs_cpu_def_to_vec(map, guest, CS_FEATURE_FORCE, error)) ||
        !(have = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, error)))
        return FALSE;
    for (guint w = 0; w < map->t.n_words; w++)
        forced[w] &= ~have[w];
    if (cs_vec_is_empty(map, forced))
        return TRUE;
    names = cs_x86_vec_feature_names(map, forced);
    list = g_strjoinv("', '", names);
    g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                "the guest CPU is incompatible with the host CPU: the hypervisor "
                "cannot provide the forced features '%s'", list);
    return FALSE;
}

gboolean
cs_x86_guest_data(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                  const CsGuestOptions *opts, CsCpuDef **out_def, CsCpuidData **out_data,
                  GError **error)
{
    g_autoptr(CsCpuDef) updated = NULL;
    g_autoptr(CsCompareReport) report = NULL;
    g_autofree CsWord *vec = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    const char *preferred[2] = { guest->model, NULL };

    if (!host->model) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the guest CPU is incompatible with the host CPU: the host CPU "
                    "has no model");
        return FALSE;
    }
    if (!cs_x86_compute(map, host, guest, &report, &vec, error))
        return FALSE;
    if (cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the guest CPU is incompatible with the host CPU: %s",
                    cs_compare_report_get_message(report));
        return FALSE;
    }
    if ((opts->flags & CS_GUEST_HOST_ONLY) && !check_forced(map, host, guest, error))
        return FALSE;
    if (guest->mode == CS_CPU_MODE_HOST_PASSTHROUGH || guest->mode == CS_CPU_MODE_MAXIMUM)
        return passthrough_data(map, host, guest, out_def, out_data, error);
    if (guest->mode == CS_CPU_MODE_HOST_MODEL) {
        /* host-model: the host's model and features with the guest's own
         * features on top (libvirt's update), then as a custom guest */
        updated = cs_cpu_def_copy(guest);
        if (!cs_x86_update(map, updated, host, CS_FEATURE_DISABLE, error))
            return FALSE;
        guest = updated;
        preferred[0] = guest->model;
        g_clear_pointer(&vec, g_free);
        g_clear_pointer(&report, cs_compare_report_free);
        if (!cs_x86_compute(map, host, guest, &report, &vec, error))
            return FALSE;
        if (cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "the guest CPU is incompatible with the host CPU: %s",
                        cs_compare_report_get_message(report));
            return FALSE;
        }
    }

    data = cs_cpu_map_vec_to_data(map, vec);
    if (guest->vendor && !add_vendor(map, guest->vendor, data, error))
        return FALSE;

    if (out_def) {
        CsDecodeOptions dopts = CS_DECODE_OPTIONS_INIT(CS_DECODE_GUEST);

        dopts.allowed = opts->allowed;
        dopts.preferred = guest->model ? preferred : NULL;
        dopts.fallback = guest->fallback;
        def = cs_x86_decode(map, data, &dopts, error);
        if (!def)
            return FALSE;
        def->type = CS_CPU_TYPE_GUEST;
        def->mode = CS_CPU_MODE_CUSTOM;
        def->match = CS_CPU_MATCH_EXACT;
        def->fallback = guest->fallback;
        g_clear_pointer(&def->arch, g_free);
        def->sig_family = def->sig_model = def->sig_stepping = 0;
        *out_def = g_steal_pointer(&def);
    }
    if (out_data)
        *out_data = g_steal_pointer(&data);
    return TRUE;
}
