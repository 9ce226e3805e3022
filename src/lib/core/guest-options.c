/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsGuestOptions, what the guest CPU data takes besides the map
 * and the two CPUs */
#include "core/guest-options-private.h"

CsGuestOptions *
cs_guest_options_new(CsGuestFlags flags)
{
    CsGuestOptions *opts = g_new0(CsGuestOptions, 1);

    *opts = (CsGuestOptions) CS_GUEST_OPTIONS_INIT(flags);
    return opts;
}

void
cs_guest_options_free(CsGuestOptions *opts)
{
    if (!opts)
        return;
    g_strfreev(opts->owned_allowed);
    g_free(opts);
}

void
cs_guest_options_set_flags(CsGuestOptions *opts, CsGuestFlags flags)
{
    g_return_if_fail(opts != NULL);
    opts->flags = flags;
}

void
cs_guest_options_set_allowed(CsGuestOptions *opts, const char *const *allowed)
{
    g_return_if_fail(opts != NULL);
    g_strfreev(opts->owned_allowed);
    opts->owned_allowed = g_strdupv((char **) allowed);
    opts->allowed = (const char *const *) opts->owned_allowed;
}
