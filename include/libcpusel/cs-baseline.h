/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: baseline: one guest CPU every host can run, of a few hosts at
 * once or of any number added one by one */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>
#include <libcpusel/cs-cpu-stream.h>

G_BEGIN_DECLS

typedef enum {
    CS_BASELINE_DEFAULT = 0,
    CS_BASELINE_EXPAND = 1 << 0,      /* list the model's features explicitly */
    CS_BASELINE_MIGRATABLE = 1 << 1,  /* drop features that block migration */
} CsBaselineFlags;

/* libvirt's baseline of @hosts (x86): vendors must agree (CPUs without a
 * vendor are allowed; the result then names none), the CPUs' data are
 * intersected and decoded as a guest CPU (match exact) preferring the
 * inputs' model names.
 * Returns: (transfer full) the baseline, or NULL with @error set
 * (CS_ERROR_INCOMPATIBLE for other vendors or an empty intersection). */
CS_EXPORT CsCpuDef *cs_cpu_baseline(const CsCpuMap *map, const CsCpuDef *const *hosts,
                                   gsize n_hosts, CsBaselineFlags flags, GError **error);

/* ---- Incremental baseline ------------------------------------------------
 * Hosts are added one by one and never kept: the builder holds the
 * intersection, the vendor, the model names and (for planning) per-bit
 * counts, so memory does not grow with the number of hosts beyond a few
 * bytes of statistics per host when planning. Threads: a builder is used
 * by one thread at a time; the hosts added are only read while being added;
 * its map may be shared and must outlive it. */
typedef struct _CsBaselineBuilder CsBaselineBuilder;

typedef enum {
    CS_BASELINE_BUILD_EXACT = 0,  /* libvirt's semantics: any bad host fails */
    CS_BASELINE_BUILD_PLAN = 1 << 0, /* keep going: hosts of another vendor or
                                      * arch, or invalid ones, cannot join */
} CsBaselineBuildFlags;

/* Returns: (transfer full) a builder reading @map, which must outlive it. */
CS_EXPORT CsBaselineBuilder *cs_baseline_builder_new(const CsCpuMap *map,
                                                     CsBaselineFlags flags,
                                                     CsBaselineBuildFlags build_flags);
/* Restricts the result to the models a hypervisor offers: @allowed is
 * NULL (every model) or NULL-terminated entries as
 * cs_decode_options_set_allowed()'s (copied), as libvirt's
 * hypervisor-cpu-baseline restricts it to QEMU's. */
CS_EXPORT void cs_baseline_builder_set_models(CsBaselineBuilder *builder,
                                              const char *const *allowed);
/* Adds @host (not kept); @name names it in the plan (NULL: "#N"). Never
 * fails: errors surface in _finish() or as hosts that cannot join. When
 * planning, the builder keeps each distinct CPU data once (a fleet has few;
 * at worst one per host) so that the plan can say which hosts lack what. */
CS_EXPORT void cs_baseline_builder_add(CsBaselineBuilder *builder, const CsCpuDef *host,
                                       const char *name);
/* Records a host that could not even be read (plan mode: cannot join;
 * exact mode: the baseline fails with @error). Takes ownership of @error. */
CS_EXPORT void cs_baseline_builder_add_error(CsBaselineBuilder *builder, const char *name,
                                             GError *error);
/* Called every few hundred hosts while a stream is read. */
typedef void (*CsProgressFunc)(guint64 n_hosts, const CsCpuStream *stream,
                               gpointer user_data);
/* Adds every CPU of @stream. A host is named @name when the stream holds
 * one CPU; else by its capabilities' <host><uuid> when the document has one
 * (cs_cpu_stream_get_host_uuid()), else "@name#N".
 * Identical CPUs are converted once. In exact mode the first bad CPU stops
 * it (FALSE with @error); when planning, bad CPUs cannot join and only an
 * unreadable input ends the stream early (still TRUE). */
CS_EXPORT gboolean cs_baseline_builder_add_stream(CsBaselineBuilder *builder,
                                                  CsCpuStream *stream, const char *name,
                                                  CsProgressFunc progress,
                                                  gpointer user_data, GError **error);
CS_EXPORT guint64 cs_baseline_builder_get_n_hosts(const CsBaselineBuilder *builder);
/* Returns: (transfer full) the baseline of the hosts added (in plan mode: of
 * the hosts that can join), or NULL with @error set. */
CS_EXPORT CsCpuDef *cs_baseline_builder_finish(CsBaselineBuilder *builder, GError **error);
CS_EXPORT void cs_baseline_builder_free(CsBaselineBuilder *builder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsBaselineBuilder, cs_baseline_builder_free)

G_END_DECLS
