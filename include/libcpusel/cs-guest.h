/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: guest CPUs against hosts: compare, encode, update, guest data */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>

G_BEGIN_DECLS

#define CS_COMPARE_RESULTS(X) \
    X(CS_COMPARE_INCOMPATIBLE, "incompatible") \
    X(CS_COMPARE_IDENTICAL,    "identical") \
    X(CS_COMPARE_SUPERSET,     "superset")

/* Why a guest is incompatible; CS_REASON_NONE when it is not. */
#define CS_COMPARE_REASONS(X) \
    X(CS_REASON_NONE,          "none") \
    X(CS_REASON_ARCH,          "arch") \
    X(CS_REASON_VENDOR,        "vendor") \
    X(CS_REASON_FORBIDDEN,     "forbidden") \
    X(CS_REASON_MISSING,       "missing") \
    X(CS_REASON_EXTRA,         "extra") \
    X(CS_REASON_NO_HOST_MODEL, "no-host-model") \
    X(CS_REASON_MODEL,         "model")

/* The six data sets of cs_cpu_encode(). */
#define CS_ENCODE_SETS(X) \
    X(CS_ENCODE_FORCED,    "forced") \
    X(CS_ENCODE_REQUIRED,  "required") \
    X(CS_ENCODE_OPTIONAL,  "optional") \
    X(CS_ENCODE_DISABLED,  "disabled") \
    X(CS_ENCODE_FORBIDDEN, "forbidden") \
    X(CS_ENCODE_VENDOR,    "vendor")

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_COMPARE_RESULTS(CS_ENUM_VALUE) CS_COMPARE_LAST } CsCompareResult;
typedef enum { CS_COMPARE_REASONS(CS_ENUM_VALUE) CS_REASON_LAST } CsCompareReason;
typedef enum { CS_ENCODE_SETS(CS_ENUM_VALUE) CS_ENCODE_LAST } CsEncodeSet;
#undef CS_ENUM_VALUE

/* Names ("superset", "missing", "forced", ...); NULL if out of range. */
CS_EXPORT const char *cs_compare_result_to_string(CsCompareResult v);
CS_EXPORT const char *cs_compare_reason_to_string(CsCompareReason v);
CS_EXPORT const char *cs_encode_set_to_string(CsEncodeSet v);

typedef enum {
    CS_COMPARE_DEFAULT = 0,
    /* an incompatible guest is an error (CS_ERROR_INCOMPATIBLE) carrying
     * the explanation, as libvirt's failIncompatible */
    CS_COMPARE_FAIL_INCOMPATIBLE = 1 << 0,
} CsCompareFlags;

/* The outcome of a comparison: the result and, for an incompatible guest,
 * why and which features (in map order). Threads: immutable, any number
 * may read one at once; freed by one thread when no other uses it. */
typedef struct _CsCompareReport CsCompareReport;
CS_EXPORT void cs_compare_report_free(CsCompareReport *report);
CS_EXPORT CsCompareResult cs_compare_report_get_result(const CsCompareReport *report);
CS_EXPORT CsCompareReason cs_compare_report_get_reason(const CsCompareReport *report);
/* Returns: (transfer none) the arch or vendor a CS_REASON_ARCH /
 * CS_REASON_VENDOR report is about, else NULL. */
CS_EXPORT const char *cs_compare_report_get_subject(const CsCompareReport *report);
/* Returns: (transfer none) NULL-terminated feature names (maybe empty). */
CS_EXPORT const char *const *cs_compare_report_get_features(const CsCompareReport *report);
/* Returns: (transfer none) a sentence explaining the result. */
CS_EXPORT const char *cs_compare_report_get_message(const CsCompareReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCompareReport, cs_compare_report_free)

/* Compares @guest with @host under the host's arch (x86, or the generic
 * driver by names for the other supported arches).
 * @out_report: receives (transfer full) the report.
 * Returns: TRUE, or FALSE with @error set (unknown model, feature or
 * vendor; unsupported arch; incompatible with CS_COMPARE_FAIL_INCOMPATIBLE). */
CS_EXPORT gboolean cs_cpu_compare(const CsCpuMap *map, const CsCpuDef *host,
                                  const CsCpuDef *guest, CsCompareFlags flags,
                                  CsCompareReport **out_report, GError **error);

/* Encodes @def into the six data sets (libvirt's cpuEncode).
 * @out_data: array of CS_ENCODE_LAST pointers, each receiving (transfer full)
 *   data; untouched on failure.
 * Returns: TRUE, or FALSE with @error set. */
CS_EXPORT gboolean cs_cpu_encode(const CsCpuMap *map, const CsCpuDef *def,
                                 CsCpuidData **out_data, GError **error);

typedef enum {
    CS_UPDATE_DEFAULT = 0,
    /* drop the host's features that block migration first */
    CS_UPDATE_MIGRATABLE_HOST = 1 << 0,
} CsUpdateFlags;

/* Updates @guest (modified) against @host as libvirt's virCPUUpdate:
 * optional features resolve against the host; host-model and minimum-match
 * guests take the host's model and features; removed features are disabled.
 * Returns: TRUE, or FALSE with @error set. */
CS_EXPORT gboolean cs_cpu_update(const CsCpuMap *map, CsCpuDef *guest,
                                 const CsCpuDef *host, CsUpdateFlags flags,
                                 GError **error);
/* As cs_cpu_update(), with the policy given to the features the guest's
 * model marks as removed (libvirt 12.8's removedPolicy; cs_cpu_update()
 * uses CS_FEATURE_DISABLE, libvirt's default for a new domain). A removed
 * feature the guest already lists keeps its own policy.
 * Returns: TRUE, or FALSE with @error set. */
CS_EXPORT gboolean cs_cpu_update_full(const CsCpuMap *map, CsCpuDef *guest,
                                      const CsCpuDef *host, CsUpdateFlags flags,
                                      CsFeaturePolicy removed_policy, GError **error);

typedef enum {
    CS_GUEST_DEFAULT = 0,
    /* the hypervisor gives only what the host has (KVM): a guest forcing a
     * feature the host lacks is incompatible (CS_ERROR_INCOMPATIBLE) */
    CS_GUEST_HOST_ONLY = 1 << 0,
} CsGuestFlags;

/* What the guest CPU data takes besides the map and the two CPUs: flags
 * and the models the hypervisor allows. Built with cs_guest_options_new()
 * and the setters; one value can serve any number of calls. */
typedef struct _CsGuestOptions CsGuestOptions;

/* Returns: (transfer full) options with @flags and every model allowed. */
CS_EXPORT CsGuestOptions *cs_guest_options_new(CsGuestFlags flags);
CS_EXPORT void cs_guest_options_free(CsGuestOptions *opts);
CS_EXPORT void cs_guest_options_set_flags(CsGuestOptions *opts, CsGuestFlags flags);
/* @allowed: NULL (every model) or the models the hypervisor offers, entries
 * as cs_decode_options_set_allowed()'s (copied). */
CS_EXPORT void cs_guest_options_set_allowed(CsGuestOptions *opts,
                                            const char *const *allowed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsGuestOptions, cs_guest_options_free)

/* The CPU a hypervisor gives @guest on @host: refuses an incompatible pair
 * (CS_ERROR_INCOMPATIBLE), else computes the guest's raw data from the
 * host's and decodes it as a guest CPU restricted to the allowed models of
 * @opts (NULL: the defaults of cs_guest_options_new(CS_GUEST_DEFAULT)),
 * preferring the guest's model.
 * @out_def: (optional) receives (transfer full) the definition.
 * @out_data: (optional) receives (transfer full) the raw data.
 * Returns: TRUE, or FALSE with @error set. */
CS_EXPORT gboolean cs_cpu_guest_data_with(const CsCpuMap *map, const CsCpuDef *host,
                                          const CsCpuDef *guest,
                                          const CsGuestOptions *opts,
                                          CsCpuDef **out_def, CsCpuidData **out_data,
                                          GError **error);
/* As cs_cpu_guest_data_with() with the default options. */
CS_EXPORT gboolean cs_cpu_guest_data(const CsCpuMap *map, const CsCpuDef *host,
                                     const CsCpuDef *guest, CsCpuDef **out_def,
                                     CsCpuidData **out_data, GError **error);

/* Returns: (transfer full) a copy of @host without the features that block
 * migration (libvirt's virCPUCopyMigratable). */
CS_EXPORT CsCpuDef *cs_cpu_def_copy_migratable(const CsCpuMap *map, const CsCpuDef *host);

G_END_DECLS
