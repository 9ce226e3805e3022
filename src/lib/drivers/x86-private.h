/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: x86 driver internals shared by the operations (never installed) */
#pragma once

#include <libcpusel/cs-ops.h>
#include "cpu-map-private.h"
#include "cpu-def-private.h"

/* Feature indices whose bits are all in @vec, taken greedily in map order
 * (each taken feature's bits are removed from @vec before the next test),
 * as libvirt lists the features of CPU data. Appends to @out (guint16). */
void cs_x86_vec_features(const CsCpuMap *map, CsWord *vec, GArray *out);

/* Sets CS_ERROR_UNKNOWN_MODEL / _FEATURE for @name, which is shown quoted,
 * cut to 64 characters and with control characters escaped, followed by
 * the nearest names of @map (nullable) as suggestions. Returns: FALSE. */
gboolean cs_unknown_model_error(const CsCpuMap *map, const char *name, GError **error);
gboolean cs_unknown_feature_error(const CsCpuMap *map, const char *name, GError **error);
/* Returns: (transfer full) @name as error messages show it. */
char *cs_shown_name(const char *name);

/* Appends the features of @vec (consumed) to @def with @policy. */
void cs_x86_vec_to_def(const CsCpuMap *map, CsWord *vec, CsCpuDef *def,
                       CsFeaturePolicy policy);

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

/* Policy selector of cs_x86_def_to_vec(): CS_X86_ALL is libvirt's -1: the
 * model's features + required and forced - disabled and forbidden. */
#define CS_X86_ALL ((int) CS_FEATURE_POLICY_NONE)

/* The bits of @def that have @policy (the model counts as REQUIRE), as
 * libvirt's x86ModelFromCPU computes them. Feature names may be aliases.
 * Returns: (transfer full) a vector, or NULL with @error set (unknown model
 * or feature). */
CsWord *cs_x86_def_to_vec(const CsCpuMap *map, const CsCpuDef *def, int policy,
                          GError **error);

/* Removes hle and rtm from @vec on the Intel CPUs whose TSX is broken
 * (family 6, model 60, 69, 70, or 63 with stepping < 4): decoding ignores
 * them there, and so does every view derived from raw data. */
void cs_x86_drop_broken_tsx(const CsCpuMap *map, int vendor, guint family, guint fmodel,
                            guint stepping, CsWord *vec);
/* Projects raw data onto @map's words (n_words), as decoding sees it: with
 * broken TSX dropped. */
void cs_x86_data_vec(const CsCpuMap *map, const CsCpuidData *data, CsWord *vec);
/* The feature indices of cs_cpu_model_blockers() (map order), for data
 * already projected with cs_x86_data_vec(); appended to @out (guint16). */
void cs_x86_model_blocker_indices(const CsCpuMap *map, const CsWord *data_vec,
                                  guint model, GArray *out);
