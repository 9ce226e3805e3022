/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the CS_ERROR domain */
#include <libcpusel/cs-error.h>

G_DEFINE_QUARK(cs-error-quark, cs_error)
