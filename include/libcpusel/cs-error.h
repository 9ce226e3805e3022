/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the CS_ERROR domain */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

#define CS_ERROR (cs_error_quark())

typedef enum {
    CS_ERROR_FAILED,        /* generic failure */
    CS_ERROR_IO,            /* unreadable file */
    CS_ERROR_PARSE,         /* malformed input (XML, dump, map) */
    CS_ERROR_INVALID,       /* well-formed input with an invalid value */
    CS_ERROR_UNKNOWN_MODEL, /* model not in the CPU map */
    CS_ERROR_UNKNOWN_FEATURE,
    CS_ERROR_UNKNOWN_VENDOR,
    CS_ERROR_UNSUPPORTED,   /* operation not supported for the arch */
    CS_ERROR_NO_MODEL,      /* no CPU model fits the data */
    CS_ERROR_INCOMPATIBLE,  /* operation refused: CPUs are incompatible */
    CS_ERROR_TOO_LARGE,     /* an input over the size limit (cs-input.h) */
} CsErrorCode;

CS_EXPORT GQuark cs_error_quark(void);

G_END_DECLS
