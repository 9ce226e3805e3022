/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: building a CsCompareReport (never installed) */
#pragma once

#include <libcpusel/cs-guest.h>

/* Builds a report; @features NULL-terminated (copied) or NULL; @subject
 * the arch, vendor or model a CS_REASON_ARCH / _VENDOR / _MODEL report is
 * about. Returns: (transfer full) the report. */
CsCompareReport *cs_compare_report_new(CsCompareResult result, CsCompareReason reason,
                                       const char *subject,
                                       const char *const *features);
