/* libcpusel: baseline (one guest CPU every host can run), a streaming reader
 * of many host CPUs, and the fleet planner built on both */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>

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

/* Replaces @def's model features by an explicit, name-sorted list (libvirt's
 * virCPUExpandFeatures); FALSE with @error for an unknown model. */
CS_EXPORT gboolean cs_cpu_def_expand_features(const CsCpuMap *map, CsCpuDef *def,
                                              GError **error);

/* The x86-64 psABI level ("x86-64-v1" .. "x86-64-v4", or "none") of a CPU
 * definition. Returns: (transfer none) a static string, or NULL with @error
 * set (unknown model or feature). */
CS_EXPORT const char *cs_cpu_def_psabi_level(const CsCpuMap *map, const CsCpuDef *def,
                                             GError **error);

/* ---- Streaming reader of host CPUs ---------------------------------------
 * A file holds a bare <cpu>, a capabilities document (<host><cpu>), any
 * document listing <cpu> elements (libvirt's <cpuTest>), raw <cpudata> XML
 * or `cpuid -r` text (decoded as a host CPU). Each <cpu> is parsed as a host
 * CPU; only one is in memory at a time. Threads: a stream is used by one
 * thread at a time; its map may be shared and must outlive it. Regular
 * files and pipes only (a FIFO the caller names is read as it comes, not
 * devices or directories); XML streams at any size, raw data must fit the
 * input size limit (cs-input.h). */
typedef struct _CsCpuStream CsCpuStream;

/* Returns: (transfer full) a reader of @path, or NULL with @error set. */
CS_EXPORT CsCpuStream *cs_cpu_stream_open_file(const CsCpuMap *map, const char *path,
                                               GError **error);
/* Reads from @len bytes of @buf (not copied: keep it alive). @source names
 * the input in errors. Returns: (transfer full) a reader or NULL. */
CS_EXPORT CsCpuStream *cs_cpu_stream_new_from_memory(const CsCpuMap *map,
                                                     const char *buf, gsize len,
                                                     const char *source,
                                                     GError **error);
/* Next CPU: TRUE with *@out_def (transfer full), TRUE with NULL at the end,
 * FALSE with @error on bad input. After FALSE the caller may call again: a
 * bad <cpu> in well-formed XML is skipped, anything worse ends the input. */
CS_EXPORT gboolean cs_cpu_stream_next(CsCpuStream *stream, CsCpuDef **out_def,
                                      GError **error);
/* How many CPUs were returned so far. */
CS_EXPORT guint64 cs_cpu_stream_get_count(const CsCpuStream *stream);
/* Bytes consumed and total size (0 when unknown), for progress. */
CS_EXPORT void cs_cpu_stream_get_progress(const CsCpuStream *stream, guint64 *out_done,
                                          guint64 *out_total);
CS_EXPORT void cs_cpu_stream_free(CsCpuStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuStream, cs_cpu_stream_free)

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
/* Adds @host (not kept); @name names it in the plan (NULL: "#N"). Never
 * fails: errors surface in _finish() or as hosts that cannot join. */
CS_EXPORT void cs_baseline_builder_add(CsBaselineBuilder *builder, const CsCpuDef *host,
                                       const char *name);
/* Records a host that could not even be read (plan mode: cannot join;
 * exact mode: the baseline fails with @error). Takes ownership of @error. */
CS_EXPORT void cs_baseline_builder_add_error(CsBaselineBuilder *builder, const char *name,
                                             GError *error);
/* Called every few hundred hosts while a stream is read. */
typedef void (*CsProgressFunc)(guint64 n_hosts, const CsCpuStream *stream,
                               gpointer user_data);
/* Adds every CPU of @stream; hosts are named @name (one CPU) or "@name#N".
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

/* ---- Fleet plan -------------------------------------------------------------- */
#define CS_HOST_STATUSES(X) \
    X(CS_HOST_JOINED,       "joined") \
    X(CS_HOST_OTHER_VENDOR, "other-vendor") \
    X(CS_HOST_OTHER_ARCH,   "other-arch") \
    X(CS_HOST_INVALID,      "invalid")

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_HOST_STATUSES(CS_ENUM_VALUE) CS_HOST_STATUS_LAST } CsHostStatus;
#undef CS_ENUM_VALUE
CS_EXPORT const char *cs_host_status_to_string(CsHostStatus status);

/* A fleet plan. Threads: immutable, any number may read one at once; freed
 * by one thread when no other uses it. */
typedef struct _CsFleetPlan CsFleetPlan;

/* Computes the plan of a builder made with CS_BASELINE_BUILD_PLAN (call it
 * instead of _finish()). Returns: (transfer full) the plan, or NULL with
 * @error when no host can join or their CPUs share nothing. */
CS_EXPORT CsFleetPlan *cs_baseline_builder_plan(CsBaselineBuilder *builder,
                                                GError **error);
CS_EXPORT void cs_fleet_plan_free(CsFleetPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsFleetPlan, cs_fleet_plan_free)

/* Returns: (transfer none) the baseline of the hosts that joined. */
CS_EXPORT const CsCpuDef *cs_fleet_plan_get_baseline(const CsFleetPlan *plan);
/* Returns: (transfer none) the baseline's psABI level. */
CS_EXPORT const char *cs_fleet_plan_get_level(const CsFleetPlan *plan);
/* Arch and vendor of the hosts that joined (vendor may be NULL). */
CS_EXPORT const char *cs_fleet_plan_get_arch(const CsFleetPlan *plan);
CS_EXPORT const char *cs_fleet_plan_get_vendor(const CsFleetPlan *plan);

CS_EXPORT guint64 cs_fleet_plan_get_n_hosts(const CsFleetPlan *plan);
/* Per host, in input order. Returns: (transfer none). */
CS_EXPORT const char *cs_fleet_plan_host_name(const CsFleetPlan *plan, guint64 i);
CS_EXPORT CsHostStatus cs_fleet_plan_host_status(const CsFleetPlan *plan, guint64 i);
/* Why the host cannot join (NULL when it joined). */
CS_EXPORT const char *cs_fleet_plan_host_reason(const CsFleetPlan *plan, guint64 i);
CS_EXPORT const char *cs_fleet_plan_host_model(const CsFleetPlan *plan, guint64 i);
CS_EXPORT const char *cs_fleet_plan_host_vendor(const CsFleetPlan *plan, guint64 i);
/* psABI level of the host ("x86-64-v3"...), NULL for an invalid host. */
CS_EXPORT const char *cs_fleet_plan_host_level(const CsFleetPlan *plan, guint64 i);

/* The joined hosts that alone hold the baseline back: leaving one out would
 * give the baseline more features. */
CS_EXPORT guint cs_fleet_plan_get_n_draggers(const CsFleetPlan *plan);
/* Host index (for the cs_fleet_plan_host_*() getters) of dragger @d. */
CS_EXPORT guint64 cs_fleet_plan_dragger_host(const CsFleetPlan *plan, guint d);
/* Returns: (transfer none) NULL-terminated features all other hosts have
 * and this one lacks: what the baseline gains without it. */
CS_EXPORT const char *const *cs_fleet_plan_dragger_lacks(const CsFleetPlan *plan, guint d);
/* Returns: (transfer none) the baseline without this host, or NULL if it
 * was not computed (more than a few thousand draggers). */
CS_EXPORT const CsCpuDef *cs_fleet_plan_dragger_baseline(const CsFleetPlan *plan, guint d);
CS_EXPORT const char *cs_fleet_plan_dragger_level(const CsFleetPlan *plan, guint d);

/* Host count of each psABI level among joined hosts: @level 0 = "none",
 * 1..4 = v1..v4. */
CS_EXPORT guint64 cs_fleet_plan_get_level_count(const CsFleetPlan *plan, guint level);

G_END_DECLS
