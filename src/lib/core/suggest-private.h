/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: errors for names a map does not know (never installed) */
#pragma once

#include "core/cpu-map-private.h"

/* Sets CS_ERROR_UNKNOWN_MODEL / _FEATURE for @name, which is shown quoted,
 * cut to 64 characters and with control characters escaped, followed by
 * the nearest names of @map (nullable) as suggestions. Returns: FALSE. */
gboolean cs_unknown_model_error(const CsCpuMap *map, const char *name, GError **error);
gboolean cs_unknown_feature_error(const CsCpuMap *map, const char *name, GError **error);
