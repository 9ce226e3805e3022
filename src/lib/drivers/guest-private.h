/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: internals shared by compare, update, encode and guest data
 * (never installed) */
#pragma once

#include <libcpusel/cs-guest.h>
#include "x86-private.h"
#include "core/compare-report-private.h"

typedef enum {
    CS_ARCH_UNSUPPORTED = 0,
    CS_ARCH_X86,
    CS_ARCH_GENERIC,
} CsArchKind;

/* Which driver handles @arch (NULL counts as x86_64). */
CsArchKind cs_arch_kind(const char *arch);
/* Sets the "not supported for arch" error; returns FALSE. */
gboolean cs_arch_unsupported(const char *arch, GError **error);

/* Names of the map features whose bits are all in @vec, in map order (not
 * greedy, as libvirt's x86FeatureNames). Returns: (transfer full). */
char **cs_x86_vec_feature_names(const CsCpuMap *map, const CsWord *vec);

/* libvirt's x86Compute. @out_guest_vec: (optional) receives the guest's data
 * (host data adjusted for the guest) when the result is not incompatible. */
gboolean cs_x86_compute(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                        CsCompareReport **out_report, CsWord **out_guest_vec,
                        GError **error);

/* The generic driver (names only). */
gboolean cs_generic_compare(const CsCpuDef *host, const CsCpuDef *guest,
                            CsCompareReport **out_report, GError **error);
/* Returns: (transfer full) the baseline of @cpus, or NULL with @error set. */
CsCpuDef *cs_generic_baseline(const CsCpuDef *const *cpus, gsize n_cpus, GError **error);
