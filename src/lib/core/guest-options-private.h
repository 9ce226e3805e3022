/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsGuestOptions internals (never installed) */
#pragma once

#include <libcpusel/cs-guest.h>

struct _CsGuestOptions {
    CsGuestFlags flags;
    const char *const *allowed;     /* NULL: every model */
    char **owned_allowed;           /* what the setter copied */
};

/* Options on the stack for the library's own calls: the defaults of
 * cs_guest_options_new(@f); a list set directly is borrowed. */
#define CS_GUEST_OPTIONS_INIT(f) { .flags = (f) }
