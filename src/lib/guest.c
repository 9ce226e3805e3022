/* libcpusel: the CPU a hypervisor gives a guest on a host (libvirt's former
 * cpuGuestData + cpuDecode) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "error-private.h"
#include "guest-private.h"

gboolean
cs_cpu_guest_data(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                  const char *const *allowed_models, CsCpuDef **out_def,
                  CsCpuidData **out_data, GError **error)
{
    g_autoptr(CsCompareReport) report = NULL;
    g_autofree CsWord *vec = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    const char *preferred[2] = { guest->model, NULL };

    g_return_val_if_fail(map != NULL && host != NULL && guest != NULL, FALSE);

    if (cs_arch_kind(host->arch) != CS_ARCH_X86)
        return cs_arch_unsupported(host->arch ? host->arch : "", error);
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

    data = cs_cpu_map_vec_to_data(map, vec);
    if (guest->vendor) {
        int v = cs_cpu_map_lookup_vendor(map, guest->vendor);
        CsCpuidLeaf leaf = { .eax_in = 0 };

        if (v < 0) {
            g_autofree char *shown = cs_shown(guest->vendor);

            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                        "unknown CPU vendor '%s'", shown);
            return FALSE;
        }
        leaf.ebx = map->t.vendors[v].ebx;
        leaf.ecx = map->t.vendors[v].ecx;
        leaf.edx = map->t.vendors[v].edx;
        cs_cpuid_data_add_leaf(data, &leaf);
    }

    if (out_def) {
        def = cs_cpu_decode_full(map, data, CS_DECODE_GUEST | CS_DECODE_FEATURE_DATA,
                                 allowed_models,
                                 guest->model ? preferred : NULL, guest->fallback,
                                 NULL, error);
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
