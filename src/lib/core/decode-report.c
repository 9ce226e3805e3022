/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDecodeReport, why decoding chose its model (a value the
 * decoder fills and callers read) */
#include "core/decode-report-private.h"

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const status_names[] = { CS_CANDIDATE_STATUSES(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_candidate_status_to_string(CsCandidateStatus s)
{
    return s < G_N_ELEMENTS(status_names) ? status_names[s] : NULL;
}

static void
entry_clear(gpointer p)
{
    CsDecodeEntry *e = p;

    g_free(e->reason);
    g_strfreev(e->missing);
}

CsDecodeReport *
cs_decode_report_new(void)
{
    CsDecodeReport *report = g_new0(CsDecodeReport, 1);

    report->entries = g_array_new(FALSE, TRUE, sizeof(CsDecodeEntry));
    g_array_set_clear_func(report->entries, entry_clear);
    return report;
}

void
cs_decode_report_free(CsDecodeReport *report)
{
    if (!report)
        return;
    g_array_unref(report->entries);
    g_free(report);
}

guint cs_decode_report_get_n(const CsDecodeReport *r) { return r->entries->len; }
guint cs_decode_report_get_chosen(const CsDecodeReport *r) { return r->chosen; }

#define ENTRY(r, i) CS_DECODE_ENTRY(r, i)

const char *
cs_decode_report_get_model(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, NULL);
    return ENTRY(r, i)->model;
}

const char *
cs_decode_report_get_vendor(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, NULL);
    return ENTRY(r, i)->vendor;
}

CsCandidateStatus
cs_decode_report_get_status(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, CS_CANDIDATE_LAST);
    return ENTRY(r, i)->status;
}

const char *
cs_decode_report_get_reason(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, NULL);
    return ENTRY(r, i)->reason;
}

gboolean
cs_decode_report_get_signature_match(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, FALSE);
    return ENTRY(r, i)->sig_match;
}

guint
cs_decode_report_get_n_extra(const CsDecodeReport *r, guint i)
{
    g_return_val_if_fail(i < r->entries->len, 0);
    return ENTRY(r, i)->n_extra;
}

const char *const *
cs_decode_report_get_missing(const CsDecodeReport *r, guint i)
{
    static const char *const none[] = { NULL };

    g_return_val_if_fail(i < r->entries->len, none);
    return ENTRY(r, i)->missing ? (const char *const *) ENTRY(r, i)->missing : none;
}
