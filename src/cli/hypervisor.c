/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel: the host a command is about (this machine, KVM's view of it, or a
 * dump) and the hypervisor's model list (--models, --qmp) */
#include "cli.h"

CsCpuidData *
cli_host_data(gboolean kvm, const char *dump, gboolean host, GError **error)
{
    if (kvm)
        return cs_cpuid_data_new_from_kvm(error);
    if (dump)
        return cli_load_cpuid_data(dump, error);
    if (host)
        return cs_cpuid_data_new_from_host(error);
    g_set_error(error, CS_ERROR, CS_ERROR_INVALID, "no host data given");
    return NULL;
}

gboolean
cli_model_list(const char *models, const char *qmp, CsCpuModelList **out_list,
               GError **error)
{
    *out_list = NULL;
    if (qmp) {
        return (*out_list = cs_cpu_model_list_load_qmp(qmp, error)) != NULL;
    }
    if (models) {
        g_auto(GStrv) entries = g_strsplit(models, ",", -1);

        *out_list = cs_cpu_model_list_new_from_spec((const char *const *) entries);
    }
    return TRUE;
}

gboolean
cli_allowed_models(const CsCpuMap *map, const char *models, const char *qmp,
                   char ***out_allowed, GError **error)
{
    g_autoptr(CsCpuModelList) list = NULL;

    *out_allowed = NULL;
    if (!cli_model_list(models, qmp, &list, error))
        return FALSE;
    if (list)
        *out_allowed = cs_cpu_model_list_to_allowed(list, map);
    return TRUE;
}

CsCpuDef *
cli_kvm_host_model(const CsCpuMap *map, const CsCpuModelList *list, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    const CsCpuDef *host_model;

    if (!(data = cs_cpuid_data_new_from_kvm(error)) ||
        !(caps = cs_domain_caps_new(map, data, list, error)))
        return NULL;
    if (!(host_model = cs_domain_caps_get_host_model(caps))) {
        g_set_error(error, CS_ERROR, CS_ERROR_NO_MODEL,
                    "KVM offers no host-model CPU here: no allowed CPU model fits "
                    "its data");
        return NULL;
    }
    return cs_cpu_def_copy(host_model);
}
