/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the generic driver: CPUs without CPUID data, compared,
 * updated and baselined by model and feature names */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "drivers/arch.h"
#include "drivers/host-model-private.h"
#include "core/compare-report-private.h"

/* The arches that have a CPU driver of their own in libvirt: cpusel
 * compares their CPUs by names. */
static const char *const generic_archs[] = {
    "armv6l", "armv7l", "armv7b", "aarch64", "ppc64", "ppc64le", "s390", "s390x",
    "riscv32", "riscv64", "loongarch64", NULL
};

/* Does @def provide feature @name (a host feature, or a guest feature the
 * guest gets: required or forced)? */
static gboolean
provides(const CsCpuDef *def, const char *name)
{
    int i = cs_cpu_def_find_feature(def, name);
    CsFeaturePolicy p;

    if (i < 0)
        return FALSE;
    p = g_array_index(def->features, CsCpuFeature, i).policy;
    return p == CS_FEATURE_POLICY_NONE || p == CS_FEATURE_REQUIRE ||
           p == CS_FEATURE_FORCE;
}

static gboolean
generic_compare(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                CsCompareReport **out_report, GError **error)
{
    g_autoptr(GPtrArray) forbidden = g_ptr_array_new();
    g_autoptr(GPtrArray) missing = g_ptr_array_new();
    g_autoptr(GPtrArray) extra = g_ptr_array_new();

    (void) error;
    if (guest->arch && g_strcmp0(guest->arch, host->arch) != 0) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_ARCH,
                                            guest->arch, NULL);
        return TRUE;
    }
    if (guest->vendor && g_strcmp0(guest->vendor, host->vendor) != 0) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_VENDOR,
                                            guest->vendor, NULL);
        return TRUE;
    }
    if (guest->model && g_strcmp0(guest->model, host->model) != 0) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_MODEL,
                                            guest->model, NULL);
        return TRUE;
    }

    for (guint i = 0; i < guest->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);
        gboolean has = provides(host, f->name);

        if (f->policy == CS_FEATURE_FORBID && has)
            g_ptr_array_add(forbidden, f->name);
        else if ((f->policy == CS_FEATURE_REQUIRE || f->policy == CS_FEATURE_POLICY_NONE) &&
                 !has)
            g_ptr_array_add(missing, f->name);
    }
    if (forbidden->len) {
        g_ptr_array_add(forbidden, NULL);
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_FORBIDDEN,
                                            NULL, (const char *const *) forbidden->pdata);
        return TRUE;
    }
    if (missing->len) {
        g_ptr_array_add(missing, NULL);
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_MISSING,
                                            NULL, (const char *const *) missing->pdata);
        return TRUE;
    }

    for (guint i = 0; i < host->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(host->features, CsCpuFeature, i);

        if (provides(host, f->name) && cs_cpu_def_find_feature(guest, f->name) < 0)
            g_ptr_array_add(extra, f->name);
    }
    if (!extra->len) {
        *out_report = cs_compare_report_new(CS_COMPARE_IDENTICAL, CS_REASON_NONE, NULL,
                                            NULL);
    } else if (guest->type == CS_CPU_TYPE_GUEST && guest->match == CS_CPU_MATCH_STRICT) {
        g_ptr_array_add(extra, NULL);
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_EXTRA,
                                            NULL, (const char *const *) extra->pdata);
    } else {
        *out_report = cs_compare_report_new(CS_COMPARE_SUPERSET, CS_REASON_NONE, NULL,
                                            NULL);
    }
    return TRUE;
}

/* Optional features become required where the host has them, disabled
 * where it does not; a host-model or minimum-match guest takes the host's
 * model. */
static gboolean
generic_update(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
               CsFeaturePolicy removed_policy, GError **error)
{
    if (!host)
        return TRUE;
    for (guint i = 0; i < guest->features->len; i++) {
        CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);

        if (f->policy == CS_FEATURE_OPTIONAL)
            f->policy = cs_cpu_def_find_feature(host, f->name) >= 0 ?
                        CS_FEATURE_REQUIRE : CS_FEATURE_DISABLE;
    }
    if (guest->mode == CS_CPU_MODE_HOST_MODEL || guest->match == CS_CPU_MATCH_MINIMUM)
        cs_cpu_def_take_host_model(guest, host);
    return TRUE;
}

static CsCpuDef *
baseline(const CsCpuDef *const *cpus, gsize n_cpus, GError **error)
{
    g_autoptr(CsCpuDef) result = NULL;
    const char *vendor;

    if (n_cpus == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID, "no CPUs were given");
        return NULL;
    }
    for (gsize i = 0; i < n_cpus; i++) {
        if (!cpus[i]->model || g_strcmp0(cpus[i]->model, cpus[0]->model) != 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "the CPUs are incompatible: their models differ");
            return NULL;
        }
    }

    result = cs_cpu_def_new(CS_CPU_TYPE_GUEST);
    result->mode = CS_CPU_MODE_CUSTOM;
    result->match = CS_CPU_MATCH_EXACT;
    result->model = g_strdup(cpus[0]->model);
    vendor = cpus[0]->vendor;
    for (gsize i = 1; i < n_cpus && vendor; i++) {
        if (g_strcmp0(vendor, cpus[i]->vendor) != 0)
            vendor = NULL;
    }
    result->vendor = g_strdup(vendor);
    for (guint f = 0; f < cpus[0]->features->len; f++) {
        const char *name = g_array_index(cpus[0]->features, CsCpuFeature, f).name;
        gboolean everywhere = TRUE;

        for (gsize i = 0; i < n_cpus && everywhere; i++)
            everywhere = provides(cpus[i], name);
        if (everywhere)
            cs_cpu_def_append_feature(result, name, CS_FEATURE_REQUIRE);
    }
    return g_steal_pointer(&result);
}

/* The baseline keeps copies of the CPUs: they are few (one per host of a
 * kind the generic driver handles) and all are needed at the end. */
struct _CsBaselineAcc {
    GPtrArray *cpus;        /* CsCpuDef */
};

static CsBaselineAcc *
generic_baseline_new(const CsCpuMap *map)
{
    CsBaselineAcc *acc = g_new0(CsBaselineAcc, 1);

    acc->cpus = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);
    return acc;
}

static void
generic_baseline_free(CsBaselineAcc *acc)
{
    if (!acc)
        return;
    g_ptr_array_unref(acc->cpus);
    g_free(acc);
}

static void
generic_baseline_add(CsBaselineAcc *acc, const CsCpuDef *cpu, const CsWord *vec)
{
    g_ptr_array_add(acc->cpus, cs_cpu_def_copy(cpu));
}

/* All CPUs must be of one arch; their feature names are intersected. */
static CsCpuDef *
generic_baseline_finish(CsBaselineAcc *acc, const char *const *allowed,
                        CsBaselineFlags flags, GError **error)
{
    const CsCpuDef *first = g_ptr_array_index(acc->cpus, 0);

    for (guint i = 0; i < acc->cpus->len; i++) {
        const CsCpuDef *cpu = g_ptr_array_index(acc->cpus, i);

        if (strcmp(cpu->arch, first->arch) != 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "the CPUs are incompatible: their architectures differ");
            return NULL;
        }
    }
    return baseline((const CsCpuDef *const *) acc->cpus->pdata, acc->cpus->len, error);
}

const CsArchDriver cs_generic_driver = {
    .name = "generic",
    .archs = generic_archs,
    .compare = generic_compare,
    .update = generic_update,
    .baseline_new = generic_baseline_new,
    .baseline_add = generic_baseline_add,
    .baseline_finish = generic_baseline_finish,
    .baseline_free = generic_baseline_free,
};
