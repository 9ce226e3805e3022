/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDecodeReport internals, filled by the decoder (never
 * installed) */
#pragma once

#include <libcpusel/cs-ops.h>

/* One candidate model: what decoding thought of it. */
typedef struct {
    const char *model;
    const char *vendor;
    CsCandidateStatus status;
    char *reason;
    gboolean sig_match;
    guint n_extra;
    char **missing;
} CsDecodeEntry;

struct _CsDecodeReport {
    GArray *entries;    /* CsDecodeEntry, one per map model, newest first */
    guint chosen;
};

/* Returns: (transfer full) an empty report. */
CsDecodeReport *cs_decode_report_new(void);

#define CS_DECODE_ENTRY(r, i) (&g_array_index((r)->entries, CsDecodeEntry, (i)))
