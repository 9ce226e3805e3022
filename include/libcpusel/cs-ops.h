/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: operations on CPU data and definitions */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>

G_BEGIN_DECLS

typedef enum {
    CS_DECODE_HOST = 0,             /* decode as a host CPU (no disabled features) */
    CS_DECODE_GUEST = 1 << 0,       /* decode as a guest CPU (match exact) */
    CS_DECODE_MIGRATABLE = 1 << 1,  /* drop features that block migration */
} CsDecodeFlags;

#define CS_CANDIDATE_STATUSES(X) \
    X(CS_CANDIDATE_CHOSEN,       "chosen") \
    X(CS_CANDIDATE_WORSE,        "worse") \
    X(CS_CANDIDATE_NOT_ALLOWED,  "not-allowed") \
    X(CS_CANDIDATE_OTHER_VENDOR, "other-vendor") \
    X(CS_CANDIDATE_NOT_FOR_TYPE, "not-for-type") \
    X(CS_CANDIDATE_MISSING,      "missing-features") \
    X(CS_CANDIDATE_NOT_REACHED,  "not-reached")

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_CANDIDATE_STATUSES(CS_ENUM_VALUE) CS_CANDIDATE_LAST } CsCandidateStatus;
#undef CS_ENUM_VALUE
CS_EXPORT const char *cs_candidate_status_to_string(CsCandidateStatus s);

/* Why decoding chose its model: one entry per map model, newest first.
 * Threads: immutable, any number may read one at once; freed by one thread
 * when no other uses it. */
typedef struct _CsDecodeReport CsDecodeReport;
CS_EXPORT void cs_decode_report_free(CsDecodeReport *report);
CS_EXPORT guint cs_decode_report_get_n(const CsDecodeReport *report);
/* Index of the chosen entry. */
CS_EXPORT guint cs_decode_report_get_chosen(const CsDecodeReport *report);
CS_EXPORT const char *cs_decode_report_get_model(const CsDecodeReport *report, guint i);
CS_EXPORT const char *cs_decode_report_get_vendor(const CsDecodeReport *report, guint i);
CS_EXPORT CsCandidateStatus cs_decode_report_get_status(const CsDecodeReport *report,
                                                       guint i);
/* A sentence saying why the entry was chosen, lost or skipped. (transfer none) */
CS_EXPORT const char *cs_decode_report_get_reason(const CsDecodeReport *report, guint i);
CS_EXPORT gboolean cs_decode_report_get_signature_match(const CsDecodeReport *report,
                                                        guint i);
/* Features the CPU has beyond the model (listed as required). */
CS_EXPORT guint cs_decode_report_get_n_extra(const CsDecodeReport *report, guint i);
/* Returns: (transfer none) NULL-terminated model features the CPU lacks. */
CS_EXPORT const char *const *cs_decode_report_get_missing(const CsDecodeReport *report,
                                                          guint i);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsDecodeReport, cs_decode_report_free)

/* What decoding takes besides the map and the data: flags, the models a
 * hypervisor allows (with what blocks each), models to prefer, the
 * fallback when the only preferred model is not allowed, and where to put
 * the explanation. Built with cs_decode_options_new() and the setters; one
 * value can serve any number of decodes (not at once from several threads
 * when it asks for a report). */
typedef struct _CsDecodeOptions CsDecodeOptions;

/* Returns: (transfer full) options with @flags, every model allowed, none
 * preferred, CS_CPU_FALLBACK_FORBID and no report: what cs_cpu_decode()
 * uses. */
CS_EXPORT CsDecodeOptions *cs_decode_options_new(CsDecodeFlags flags);
CS_EXPORT void cs_decode_options_free(CsDecodeOptions *opts);
CS_EXPORT void cs_decode_options_set_flags(CsDecodeOptions *opts, CsDecodeFlags flags);
/* @allowed: NULL (every model) or NULL-terminated names a hypervisor
 * supports (copied); an entry "Name:feat1:feat2" marks Name as blocked by
 * those features (cs_cpu_model_list_to_allowed() gives a QMP reply so). */
CS_EXPORT void cs_decode_options_set_allowed(CsDecodeOptions *opts,
                                             const char *const *allowed);
/* @preferred: NULL or NULL-terminated model names to prefer (copied). */
CS_EXPORT void cs_decode_options_set_preferred(CsDecodeOptions *opts,
                                               const char *const *preferred);
/* What to do when the only preferred model is not allowed: forbid (an
 * error) or allow (the closest allowed model). */
CS_EXPORT void cs_decode_options_set_fallback(CsDecodeOptions *opts,
                                              CsCpuFallback fallback);
/* @out_report: NULL, or where each successful decode with @opts stores
 * (transfer full) why it chose its model. */
CS_EXPORT void cs_decode_options_set_report(CsDecodeOptions *opts,
                                            CsDecodeReport **out_report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsDecodeOptions, cs_decode_options_free)

/* Decodes raw x86 data into a CPU definition: vendor, signature and the
 * best model of @map with the features beyond it (and, for a guest, the
 * model features the data lacks, disabled), as @opts (NULL: the defaults of
 * cs_decode_options_new(CS_DECODE_HOST)) says.
 * Returns: (transfer full) the definition, or NULL with @error set. */
CS_EXPORT CsCpuDef *cs_cpu_decode_with(const CsCpuMap *map, const CsCpuidData *data,
                                       const CsDecodeOptions *opts, GError **error);
/* Returns: (transfer full) as cs_cpu_decode_with() with the default
 * options of @flags. */
CS_EXPORT CsCpuDef *cs_cpu_decode(const CsCpuMap *map, const CsCpuidData *data,
                                  CsDecodeFlags flags, GError **error);

/* Replaces @def's model features by an explicit, name-sorted list (libvirt's
 * virCPUExpandFeatures); FALSE with @error for an unknown model. */
CS_EXPORT gboolean cs_cpu_def_expand_features(const CsCpuMap *map, CsCpuDef *def,
                                              GError **error);

/* The x86-64 psABI level ("x86-64-v1" .. "x86-64-v4", or "none") of a CPU
 * definition. Returns: (transfer none) a static string, or NULL with @error
 * set (unknown model or feature). */
CS_EXPORT const char *cs_cpu_def_psabi_level(const CsCpuMap *map, const CsCpuDef *def,
                                             GError **error);

G_END_DECLS

G_BEGIN_DECLS
/* The features of map model @model that host data @data lacks (QEMU's
 * "unavailable features"; an empty list means the model is usable), in map
 * order. The host is seen as decoding sees it (broken TSX dropped; a model's
 * data leaves out the features the map marks as added to it later), so a
 * model is usable exactly when an exact guest of it is not INCOMPATIBLE on
 * the host decoded from @data, and the blockers are the features compare
 * names.
 * Returns: (transfer full) a NULL-terminated list. */
CS_EXPORT char **cs_cpu_model_blockers(const CsCpuMap *map, const CsCpuidData *data,
                                       guint model);
G_END_DECLS
