/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsDecodeOptions, what a decode takes besides map and data */
#include "core/decode-options-private.h"

CsDecodeOptions *
cs_decode_options_new(CsDecodeFlags flags)
{
    CsDecodeOptions *opts = g_new0(CsDecodeOptions, 1);

    *opts = (CsDecodeOptions) CS_DECODE_OPTIONS_INIT(flags);
    return opts;
}

void
cs_decode_options_free(CsDecodeOptions *opts)
{
    if (!opts)
        return;
    g_strfreev(opts->owned_allowed);
    g_strfreev(opts->owned_preferred);
    g_free(opts);
}

void
cs_decode_options_set_flags(CsDecodeOptions *opts, CsDecodeFlags flags)
{
    g_return_if_fail(opts != NULL);
    opts->flags = flags;
}

void
cs_decode_options_set_allowed(CsDecodeOptions *opts, const char *const *allowed)
{
    g_return_if_fail(opts != NULL);
    g_strfreev(opts->owned_allowed);
    opts->owned_allowed = g_strdupv((char **) allowed);
    opts->allowed = (const char *const *) opts->owned_allowed;
}

void
cs_decode_options_set_preferred(CsDecodeOptions *opts, const char *const *preferred)
{
    g_return_if_fail(opts != NULL);
    g_strfreev(opts->owned_preferred);
    opts->owned_preferred = g_strdupv((char **) preferred);
    opts->preferred = (const char *const *) opts->owned_preferred;
}

void
cs_decode_options_set_fallback(CsDecodeOptions *opts, CsCpuFallback fallback)
{
    g_return_if_fail(opts != NULL);
    g_return_if_fail(fallback < CS_CPU_FALLBACK_LAST);
    opts->fallback = fallback;
}

void
cs_decode_options_set_report(CsDecodeOptions *opts, CsDecodeReport **out_report)
{
    g_return_if_fail(opts != NULL);
    opts->out_report = out_report;
}
