/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's internals, shared by its files (never
 * installed); everything else reaches them through drivers/arch.h */
#pragma once

#include <libcpusel/cs-ops.h>
#include "drivers/arch.h"
#include "core/cpu-vec-private.h"
#include "core/compare-report-private.h"
#include "core/suggest-private.h"

/* x86.c: the driver's table entry */
extern const CsArchDriver cs_x86_driver;

/* ---- Feature lists of bit vectors (x86-decode.c) ---------------------------- */

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

/* Names of the map features whose bits are all in @vec, in map order (not
 * greedy, as libvirt's x86FeatureNames) (x86-compare.c).
 * Returns: (transfer full). */
char **cs_x86_vec_feature_names(const CsCpuMap *map, const CsWord *vec);

/* ---- The operations (each the driver's entry of arch.h's table) ------------- */

/* x86-decode.c: the best model of @map for @data as @opts says. */
CsCpuDef *cs_x86_decode(const CsCpuMap *map, const CsCpuidData *data,
                        const CsDecodeOptions *opts, GError **error);

/* x86-compare.c: libvirt's x86Compute. @out_guest_vec: (optional) receives
 * the guest's data (host data adjusted for the guest) when the result is
 * not incompatible. */
gboolean cs_x86_compute(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                        CsCompareReport **out_report, CsWord **out_guest_vec,
                        GError **error);
/* A host without a model is incompatible with everything; else
 * cs_x86_compute(). */
gboolean cs_x86_compare(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                        CsCompareReport **out_report, GError **error);

/* x86-update.c */
gboolean cs_x86_update(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
                       CsFeaturePolicy removed_policy, GError **error);

/* x86-guest.c */
gboolean cs_x86_guest_data(const CsCpuMap *map, const CsCpuDef *host,
                           const CsCpuDef *guest, const CsGuestOptions *opts,
                           CsCpuDef **out_def, CsCpuidData **out_data, GError **error);

/* x86-encode.c */
gboolean cs_x86_encode(const CsCpuMap *map, const CsCpuDef *def, CsCpuidData **out_data,
                       GError **error);

/* x86-expand.c */
gboolean cs_x86_expand(const CsCpuMap *map, CsCpuDef *def, GError **error);

/* x86-usable.c: the feature indices of cs_cpu_model_blockers() (map
 * order), for data already projected with cs_x86_data_vec(); appended to
 * @out (guint16). */
void cs_x86_model_blocker_indices(const CsCpuMap *map, const CsWord *data_vec,
                                  guint model, GArray *out);

/* x86-baseline.c */
extern const CsVecBaselineOps cs_x86_vec_baseline;
CsBaselineAcc *cs_x86_baseline_new(const CsCpuMap *map);
void cs_x86_baseline_add(CsBaselineAcc *acc, const CsCpuDef *cpu, const CsWord *vec);
CsCpuDef *cs_x86_baseline_finish(CsBaselineAcc *acc, const char *const *allowed,
                                 CsBaselineFlags flags, GError **error);
void cs_x86_baseline_free(CsBaselineAcc *acc);
