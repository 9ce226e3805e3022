/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDecodeOptions internals (never installed) */
#pragma once

#include <libcpusel/cs-ops.h>

struct _CsDecodeOptions {
    CsDecodeFlags flags;
    const char *const *allowed;     /* NULL: every model */
    const char *const *preferred;   /* NULL: none */
    CsCpuFallback fallback;
    CsDecodeReport **out_report;    /* NULL: no report */
    char **owned_allowed;           /* what the setters copied */
    char **owned_preferred;
};

/* Options on the stack for the library's own decodes: the defaults of
 * cs_decode_options_new(@f); the lists set directly are borrowed. */
#define CS_DECODE_OPTIONS_INIT(f) { .flags = (f), .fallback = CS_CPU_FALLBACK_FORBID }
