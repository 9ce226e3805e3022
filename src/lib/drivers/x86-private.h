/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: x86 driver internals shared by the operations (never installed) */
#pragma once

#include <libcpusel/cs-ops.h>
#include "core/cpu-vec-private.h"
#include "core/suggest-private.h"

/* Feature indices whose bits are all in @vec, taken greedily in map order
 * (each taken feature's bits are removed from @vec before the next test),
 * as libvirt lists the features of CPU data. Appends to @out (guint16). */
void cs_x86_vec_features(const CsCpuMap *map, CsWord *vec, GArray *out);

/* Appends the features of @vec (consumed) to @def with @policy. */
void cs_x86_vec_to_def(const CsCpuMap *map, CsWord *vec, CsCpuDef *def,
                       CsFeaturePolicy policy);

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

/* The x86 decoder (cs_cpu_decode_with() after the dispatch): the best
 * model of @map for @data as @opts says. Returns: (transfer full) the
 * definition, or NULL with @error set. */
CsCpuDef *cs_x86_decode(const CsCpuMap *map, const CsCpuidData *data,
                        const CsDecodeOptions *opts, GError **error);
