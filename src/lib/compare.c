/* libcpusel: comparing a guest CPU with a host CPU (libvirt's x86Compute) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "guest-private.h"

struct _CsCompareReport {
    CsCompareResult result;
    CsCompareReason reason;
    char *subject;
    char **features;
    char *message;
};

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const result_names[] = { CS_COMPARE_RESULTS(CS_ENUM_NAME) };
static const char *const reason_names[] = { CS_COMPARE_REASONS(CS_ENUM_NAME) };
static const char *const set_names[] = { CS_ENCODE_SETS(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_compare_result_to_string(CsCompareResult v)
{
    return v < G_N_ELEMENTS(result_names) ? result_names[v] : NULL;
}

const char *
cs_compare_reason_to_string(CsCompareReason v)
{
    return v < G_N_ELEMENTS(reason_names) ? reason_names[v] : NULL;
}

const char *
cs_encode_set_to_string(CsEncodeSet v)
{
    return v < G_N_ELEMENTS(set_names) ? set_names[v] : NULL;
}

/* libvirt's CPU drivers: x86 for i686/x86_64; the arches that have a driver
 * of their own there are compared by names here. */
static const char *const generic_archs[] = {
    "armv6l", "armv7l", "armv7b", "aarch64", "ppc64", "ppc64le", "s390", "s390x",
    "riscv32", "riscv64", "loongarch64",
};

CsArchKind
cs_arch_kind(const char *arch)
{
    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0)
        return CS_ARCH_X86;
    for (guint i = 0; i < G_N_ELEMENTS(generic_archs); i++) {
        if (strcmp(arch, generic_archs[i]) == 0)
            return CS_ARCH_GENERIC;
    }
    return CS_ARCH_UNSUPPORTED;
}

gboolean
cs_arch_unsupported(const char *arch, GError **error)
{
    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "CPU operations are not supported for arch '%s'", arch);
    return FALSE;
}

static char *
quoted_list(const char *const *names)
{
    g_autoptr(GString) s = g_string_new(NULL);

    for (guint i = 0; names && names[i]; i++)
        g_string_append_printf(s, "%s'%s'", i ? ", " : "", names[i]);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

CsCompareReport *
cs_compare_report_new(CsCompareResult result, CsCompareReason reason, const char *subject,
                      const char *const *features)
{
    CsCompareReport *r = g_new0(CsCompareReport, 1);
    g_autofree char *list = NULL;

    r->result = result;
    r->reason = reason;
    r->subject = g_strdup(subject);
    r->features = features ? g_strdupv((char **) features) : g_new0(char *, 1);
    list = quoted_list((const char *const *) r->features);
    switch (reason) {
    case CS_REASON_ARCH:
        r->message = g_strdup_printf("the guest CPU's arch '%s' does not match the "
                                     "host's", subject);
        break;
    case CS_REASON_VENDOR:
        r->message = g_strdup_printf("the host CPU's vendor is not the guest CPU's "
                                     "vendor '%s'", subject);
        break;
    case CS_REASON_FORBIDDEN:
        r->message = g_strdup_printf("the host CPU provides forbidden features: %s",
                                     list);
        break;
    case CS_REASON_MISSING:
        r->message = g_strdup_printf("the host CPU lacks required features: %s", list);
        break;
    case CS_REASON_EXTRA:
        r->message = g_strdup_printf("the host CPU has features the strict guest CPU "
                                     "does not list: %s", list);
        break;
    case CS_REASON_NO_HOST_MODEL:
        r->message = g_strdup("the host CPU has no model");
        break;
    case CS_REASON_MODEL:
        r->message = g_strdup_printf("the host CPU's model is not the guest CPU's "
                                     "model '%s'", subject);
        break;
    case CS_REASON_NONE:
    case CS_REASON_LAST:
    default:
        r->message = g_strdup(result == CS_COMPARE_IDENTICAL ?
                              "the host CPU provides exactly the guest CPU" :
                              "the host CPU provides more than the guest CPU");
        break;
    }
    return r;
}

void
cs_compare_report_free(CsCompareReport *report)
{
    if (!report)
        return;
    g_free(report->subject);
    g_strfreev(report->features);
    g_free(report->message);
    g_free(report);
}

CsCompareResult
cs_compare_report_get_result(const CsCompareReport *report)
{
    return report->result;
}

CsCompareReason
cs_compare_report_get_reason(const CsCompareReport *report)
{
    return report->reason;
}

const char *
cs_compare_report_get_subject(const CsCompareReport *report)
{
    return report->subject;
}

const char *const *
cs_compare_report_get_features(const CsCompareReport *report)
{
    return (const char *const *) report->features;
}

const char *
cs_compare_report_get_message(const CsCompareReport *report)
{
    return report->message;
}

char **
cs_x86_vec_feature_names(const CsCpuMap *map, const CsWord *vec)
{
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < map->t.n_features; i++) {
        if (cs_vec_has_feature(vec, &map->t.features[i]))
            g_ptr_array_add(names, g_strdup(map->t.features[i].name));
    }
    g_ptr_array_add(names, NULL);
    return (char **) g_ptr_array_free(names, FALSE);
}

static void
vec_and(const CsCpuMap *map, CsWord *a, const CsWord *b)
{
    for (guint w = 0; w < map->t.n_words; w++)
        a[w] &= b[w];
}

static void
vec_sub(const CsCpuMap *map, CsWord *a, const CsWord *b)
{
    for (guint w = 0; w < map->t.n_words; w++)
        a[w] &= ~b[w];
}

static void
vec_or(const CsCpuMap *map, CsWord *a, const CsWord *b)
{
    for (guint w = 0; w < map->t.n_words; w++)
        a[w] |= b[w];
}

static CsCompareReport *
incompatible(const CsCpuMap *map, CsCompareReason reason, const CsWord *vec)
{
    g_auto(GStrv) names = cs_x86_vec_feature_names(map, vec);

    g_debug("incompatible (%s): %u features", cs_compare_reason_to_string(reason),
            g_strv_length(names));
    return cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, reason, NULL,
                                 (const char *const *) names);
}

gboolean
cs_x86_compute(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
               CsCompareReport **out_report, CsWord **out_guest_vec, GError **error)
{
    g_autofree CsWord *host_vec = NULL;
    g_autofree CsWord *force = NULL;
    g_autofree CsWord *require = NULL;
    g_autofree CsWord *optional = NULL;
    g_autofree CsWord *disable = NULL;
    g_autofree CsWord *forbid = NULL;
    g_autofree CsWord *diff = NULL;
    CsCompareResult result;

    if (guest->arch && cs_arch_kind(guest->arch) != CS_ARCH_X86) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_ARCH,
                                            guest->arch, NULL);
        return TRUE;
    }
    if (guest->vendor && (!host->vendor || strcmp(guest->vendor, host->vendor) != 0)) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_VENDOR,
                                            guest->vendor, NULL);
        return TRUE;
    }
    if (!(host_vec = cs_x86_def_to_vec(map, host, CS_X86_ALL, error)) ||
        !(force = cs_x86_def_to_vec(map, guest, CS_FEATURE_FORCE, error)) ||
        !(require = cs_x86_def_to_vec(map, guest, CS_FEATURE_REQUIRE, error)) ||
        !(optional = cs_x86_def_to_vec(map, guest, CS_FEATURE_OPTIONAL, error)) ||
        !(disable = cs_x86_def_to_vec(map, guest, CS_FEATURE_DISABLE, error)) ||
        !(forbid = cs_x86_def_to_vec(map, guest, CS_FEATURE_FORBID, error)))
        return FALSE;

    vec_and(map, forbid, host_vec);
    if (!cs_vec_is_empty(map, forbid)) {
        *out_report = incompatible(map, CS_REASON_FORBIDDEN, forbid);
        return TRUE;
    }

    /* model features explicitly forced, made optional or disabled are not
     * required from the host */
    vec_sub(map, require, force);
    vec_sub(map, require, optional);
    vec_sub(map, require, disable);
    {
        g_autofree CsWord *missing = g_memdup2(require, sizeof(CsWord) *
                                                        (map->t.n_words + 1));

        vec_sub(map, missing, host_vec);
        if (!cs_vec_is_empty(map, missing)) {
            *out_report = incompatible(map, CS_REASON_MISSING, missing);
            return TRUE;
        }
    }

    diff = g_memdup2(host_vec, sizeof(CsWord) * (map->t.n_words + 1));
    vec_sub(map, diff, optional);
    vec_sub(map, diff, require);
    vec_sub(map, diff, disable);
    vec_sub(map, diff, force);
    result = cs_vec_is_empty(map, diff) ? CS_COMPARE_IDENTICAL : CS_COMPARE_SUPERSET;

    if (result == CS_COMPARE_SUPERSET && guest->type == CS_CPU_TYPE_GUEST &&
        guest->match == CS_CPU_MATCH_STRICT) {
        *out_report = incompatible(map, CS_REASON_EXTRA, diff);
        return TRUE;
    }

    if (out_guest_vec) {
        CsWord *g = g_steal_pointer(&host_vec);

        if (guest->type == CS_CPU_TYPE_GUEST && guest->match == CS_CPU_MATCH_EXACT)
            vec_sub(map, g, diff);
        vec_or(map, g, force);
        vec_sub(map, g, disable);
        *out_guest_vec = g;
    }
    *out_report = cs_compare_report_new(result, CS_REASON_NONE, NULL, NULL);
    return TRUE;
}

gboolean
cs_cpu_compare(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
               CsCompareFlags flags, CsCompareReport **out_report, GError **error)
{
    g_autoptr(CsCompareReport) report = NULL;

    g_return_val_if_fail(map != NULL && host != NULL && guest != NULL, FALSE);
    g_return_val_if_fail(out_report != NULL, FALSE);

    switch (cs_arch_kind(host->arch)) {
    case CS_ARCH_X86:
        if (!host->model)
            report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE,
                                           CS_REASON_NO_HOST_MODEL, NULL, NULL);
        else if (!cs_x86_compute(map, host, guest, &report, NULL, error))
            return FALSE;
        break;
    case CS_ARCH_GENERIC:
        if (!cs_generic_compare(host, guest, &report, error))
            return FALSE;
        break;
    case CS_ARCH_UNSUPPORTED:
    default:
        return cs_arch_unsupported(host->arch, error);
    }

    if (report->result == CS_COMPARE_INCOMPATIBLE &&
        (flags & CS_COMPARE_FAIL_INCOMPATIBLE)) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the guest CPU is incompatible with the host CPU: %s",
                    report->message);
        return FALSE;
    }
    *out_report = g_steal_pointer(&report);
    return TRUE;
}
