/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the architecture drivers' table (never installed)
 *
 * As libvirt's src/cpu/cpu.c: each driver is a table of operations for a
 * family of architectures, and arch.c alone looks drivers up by arch name,
 * does what every arch shares before and after the driver's part (the
 * public entry points: cs_cpu_compare(), cs_cpu_update_full(), ...) and
 * reports "not supported for arch 'X'" when no driver, or no operation of
 * the driver, fits. A driver leaves NULL what it cannot do.
 *
 * Adding an architecture: a driver file defining cs_NAME_driver, and one
 * entry in arch.c's CS_ARCH_DRIVERS list.
 */
#pragma once

#include <libcpusel/cs-ops.h>
#include <libcpusel/cs-guest.h>
#include <libcpusel/cs-baseline.h>
#include "core/cpu-vec-private.h"

/* A CPU without an arch is one of this arch. */
#define CS_ARCH_DEFAULT "x86_64"

/* A driver's baseline in progress: CPUs are added one at a time and not
 * kept (each driver defines it). */
typedef struct _CsBaselineAcc CsBaselineAcc;

/* libvirt's baseline loop for CPUs that are bit vectors over the map's
 * words (x86's), kept as state so that a fleet streams through it: the
 * intersection so far, the vendor rule's state and the models met. The
 * driver changes it; the fleet planner reads it. */
typedef struct {
    CsWord *vec;            /* intersection so far */
    int vendor;             /* libvirt's `vendor` (map index), -1 none */
    gboolean output_vendor; /* whether the result names the vendor */
    GPtrArray *names;       /* distinct model names, first seen first */
    GArray *name_counts;    /* guint64 CPUs per name */
    guint64 n;              /* CPUs added */
} CsVecBaseline;

/* What the fleet planner needs of a driver whose CPUs are bit vectors. */
typedef struct {
    CsVecBaseline *(*new)(const CsCpuMap *map);
    void (*free)(CsVecBaseline *acc);
    /* One CPU through libvirt's loop: @vec its bits (cs_cpu_def_to_vec()),
     * @model_vendor the map vendor of its model (-1: none). FALSE with
     * @error when the vendor rules refuse it (@acc is then unchanged). */
    gboolean (*add)(const CsCpuMap *map, CsVecBaseline *acc, const CsCpuDef *cpu,
                    const CsWord *vec, int model_vendor, GError **error);
    /* Folds @from (CPUs naming no vendor) into @into, as one loop over
     * both would have. */
    void (*merge)(const CsCpuMap *map, CsVecBaseline *into, const CsVecBaseline *from);
    /* The baseline CPU of intersection @vec (@acc's, or a smaller set's)
     * with @acc's vendor, preferring the model @names (NULL-terminated). */
    CsCpuDef *(*decode)(const CsCpuMap *map, const CsVecBaseline *acc, const CsWord *vec,
                        const char *const *names, const char *const *allowed,
                        CsBaselineFlags flags, GError **error);
} CsVecBaselineOps;

typedef struct _CsArchDriver CsArchDriver;

struct _CsArchDriver {
    const char *name;
    const char *const *archs;       /* NULL-terminated arch names it handles */

    /* Raw data into a CPU definition (cs_cpu_decode_with()). */
    CsCpuDef *(*decode)(const CsCpuMap *map, const CsCpuidData *data,
                        const CsDecodeOptions *opts, GError **error);
    /* @guest against @host (@host's arch is the driver's): the report;
     * FALSE with @error for unknown names (cs_cpu_compare()). */
    gboolean (*compare)(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                        CsCompareReport **out_report, GError **error);
    /* @guest updated against @host, NULL when nothing of the guest depends
     * on the host; host-passthrough guests and the migratable host are
     * handled before (cs_cpu_update_full()). */
    gboolean (*update)(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
                       CsFeaturePolicy removed_policy, GError **error);
    /* What a hypervisor gives @guest on @host (cs_cpu_guest_data_with()). */
    gboolean (*guest_data)(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                           const CsGuestOptions *opts, CsCpuDef **out_def,
                           CsCpuidData **out_data, GError **error);
    /* The six data sets of @def, which names a model (cs_cpu_encode()). */
    gboolean (*encode)(const CsCpuMap *map, const CsCpuDef *def, CsCpuidData **out_data,
                       GError **error);
    /* @def's model replaced by its features (cs_cpu_def_expand_features()). */
    gboolean (*expand)(const CsCpuMap *map, CsCpuDef *def, GError **error);
    /* Usable models: raw data as the driver sees it (@out_vec: n_words),
     * then the features map model @model lacks there, as feature indices
     * in map order appended to @out (guint16) (cs_cpu_model_blockers(),
     * domain capabilities). */
    void (*data_vec)(const CsCpuMap *map, const CsCpuidData *data, CsWord *out_vec);
    void (*model_blockers)(const CsCpuMap *map, const CsWord *data_vec, guint model,
                           GArray *out);
    /* Baseline, one CPU at a time: @vec is the CPU's bits when the caller
     * has them already (NULL otherwise; drivers without vectors ignore it).
     * _finish() gives the baseline of the CPUs added, or NULL with @error. */
    CsBaselineAcc *(*baseline_new)(const CsCpuMap *map);
    void (*baseline_add)(CsBaselineAcc *acc, const CsCpuDef *cpu, const CsWord *vec);
    CsCpuDef *(*baseline_finish)(CsBaselineAcc *acc, const char *const *allowed,
                                 CsBaselineFlags flags, GError **error);
    void (*baseline_free)(CsBaselineAcc *acc);
    /* NULL unless the driver's CPUs are bit vectors of the map. */
    const CsVecBaselineOps *vec_baseline;
};

/* The driver of @arch (NULL: CS_ARCH_DEFAULT), or NULL when none handles it. */
const CsArchDriver *cs_arch_driver_lookup(const char *arch);
/* The driver of raw CPUID data, whose CPUs are bit vectors of the map
 * (x86's): what decoding, usability and the fleet planner use. */
const CsArchDriver *cs_arch_driver_cpuid(void);
/* Whether @driver handles @arch (NULL: CS_ARCH_DEFAULT). */
gboolean cs_arch_driver_handles(const CsArchDriver *driver, const char *arch);
