/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCompareReport, the outcome of a comparison (a value every
 * driver builds and callers read); the names of the compare enums */
#include <string.h>
#include "core/compare-report-private.h"

struct _CsCompareReport {
    CsCompareResult result;
    CsCompareReason reason;
    char *subject;
    char **features;            /* NULL when empty */
    const char *message;        /* static, or owned_message */
    char *owned_message;
};

static const char *const no_features[] = { NULL };

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const result_names[] = { CS_COMPARE_RESULTS(CS_ENUM_NAME) };
static const char *const reason_names[] = { CS_COMPARE_REASONS(CS_ENUM_NAME) };
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

static char *
quoted_list(const char *const *names)
{
    g_autoptr(GString) s = g_string_sized_new(256);

    for (guint i = 0; names && names[i]; i++) {
        if (i)
            g_string_append_len(s, ", ", 2);
        g_string_append_c(s, '\'');
        g_string_append(s, names[i]);
        g_string_append_c(s, '\'');
    }
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
    if (features && features[0]) {
        /* one block: the pointers, then the names */
        gsize n = 0, bytes = 0;
        char *p;

        for (; features[n]; n++)
            bytes += strlen(features[n]) + 1;
        r->features = g_malloc(sizeof(char *) * (n + 1) + bytes);
        p = (char *) (r->features + n + 1);
        for (gsize i = 0; i < n; i++) {
            gsize len = strlen(features[i]) + 1;

            memcpy(p, features[i], len);
            r->features[i] = p;
            p += len;
        }
        r->features[n] = NULL;
    }
    /* compatible results (the common case) need no allocation beyond the
     * report itself */
    if (reason == CS_REASON_NONE || reason >= CS_REASON_LAST) {
        r->message = result == CS_COMPARE_IDENTICAL ?
                     "the host CPU provides exactly the guest CPU" :
                     "the host CPU provides more than the guest CPU";
        return r;
    }
    list = quoted_list(features);
    switch (reason) {
    case CS_REASON_ARCH:
        r->owned_message = g_strdup_printf("the guest CPU's arch '%s' does not match "
                                           "the host's", subject);
        break;
    case CS_REASON_VENDOR:
        r->owned_message = g_strdup_printf("the host CPU's vendor is not the guest "
                                           "CPU's vendor '%s'", subject);
        break;
    case CS_REASON_FORBIDDEN:
        r->owned_message = g_strconcat("the host CPU provides forbidden features: ",
                                       list, NULL);
        break;
    case CS_REASON_MISSING:
        r->owned_message = g_strconcat("the host CPU lacks required features: ", list,
                                       NULL);
        break;
    case CS_REASON_EXTRA:
        r->owned_message = g_strconcat("the host CPU has features the strict guest "
                                       "CPU does not list: ", list, NULL);
        break;
    case CS_REASON_NO_HOST_MODEL:
        r->owned_message = g_strdup("the host CPU has no model");
        break;
    case CS_REASON_MODEL:
        r->owned_message = g_strdup_printf("the host CPU's model is not the guest "
                                           "CPU's model '%s'", subject);
        break;
    case CS_REASON_NONE:
    case CS_REASON_LAST:
    default:
        break;
    }
    r->message = r->owned_message;
    return r;
}

void
cs_compare_report_free(CsCompareReport *report)
{
    if (!report)
        return;
    g_free(report->subject);
    g_free(report->features);
    g_free(report->owned_message);
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
    if (!report->features)
        return no_features;
    return (const char *const *) report->features;
}

const char *
cs_compare_report_get_message(const CsCompareReport *report)
{
    return report->message;
}
