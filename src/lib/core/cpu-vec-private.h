/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CPU definitions as bit vectors over a map's words (never
 * installed)
 *
 * A map gives every CPUID/MSR register word its features refer to an index
 * (cpu-map-private.h); a vector holds n_words such words. What a CPU
 * definition stands for under a map is such a vector: its model's bits,
 * then its features' bits added or removed by policy.
 */
#pragma once

#include "core/cpu-map-private.h"
#include "core/cpu-def-private.h"

static inline CsWord *
cs_vec_new(const CsCpuMap *map)
{
    return g_new0(CsWord, map->t.n_words + 1);
}

static inline gboolean
cs_vec_is_empty(const CsCpuMap *map, const CsWord *v)
{
    for (guint i = 0; i < map->t.n_words; i++) {
        if (v[i])
            return FALSE;
    }
    return TRUE;
}

/* Policy selector of cs_cpu_def_to_vec(): CS_VEC_ALL is libvirt's -1: the
 * model's features + required and forced - disabled and forbidden. */
#define CS_VEC_ALL ((int) CS_FEATURE_POLICY_NONE)

/* The bits of @def that have @policy (the model counts as REQUIRE), as
 * libvirt's x86ModelFromCPU computes them. Feature names may be aliases.
 * Returns: (transfer full) a vector, or NULL with @error set (unknown model
 * or feature). */
CsWord *cs_cpu_def_to_vec(const CsCpuMap *map, const CsCpuDef *def, int policy,
                          GError **error);
