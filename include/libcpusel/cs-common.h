/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: common definitions */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#if defined(CS_COMPILATION)
# define CS_EXPORT __attribute__((visibility("default")))
#else
# define CS_EXPORT
#endif

G_END_DECLS
