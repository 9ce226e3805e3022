/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CPU definitions (libvirt's <cpu> element) */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

#define CS_CPU_TYPES(X) \
    X(CS_CPU_TYPE_HOST,  "host") \
    X(CS_CPU_TYPE_GUEST, "guest")

#define CS_CPU_MODES(X) \
    X(CS_CPU_MODE_CUSTOM,           "custom") \
    X(CS_CPU_MODE_HOST_MODEL,       "host-model") \
    X(CS_CPU_MODE_HOST_PASSTHROUGH, "host-passthrough") \
    X(CS_CPU_MODE_MAXIMUM,          "maximum")

#define CS_CPU_MATCHES(X) \
    X(CS_CPU_MATCH_EXACT,   "exact") \
    X(CS_CPU_MATCH_MINIMUM, "minimum") \
    X(CS_CPU_MATCH_STRICT,  "strict")

#define CS_CPU_CHECKS(X) \
    X(CS_CPU_CHECK_DEFAULT, "default") \
    X(CS_CPU_CHECK_NONE,    "none") \
    X(CS_CPU_CHECK_PARTIAL, "partial") \
    X(CS_CPU_CHECK_FULL,    "full")

#define CS_CPU_FALLBACKS(X) \
    X(CS_CPU_FALLBACK_ALLOW,  "allow") \
    X(CS_CPU_FALLBACK_FORBID, "forbid")

/* CS_FEATURE_POLICY_NONE: a host CPU feature (no policy attribute). */
#define CS_FEATURE_POLICIES(X) \
    X(CS_FEATURE_FORCE,   "force") \
    X(CS_FEATURE_REQUIRE, "require") \
    X(CS_FEATURE_OPTIONAL, "optional") \
    X(CS_FEATURE_DISABLE, "disable") \
    X(CS_FEATURE_FORBID,  "forbid")

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_CPU_TYPES(CS_ENUM_VALUE) CS_CPU_TYPE_LAST } CsCpuType;
typedef enum { CS_CPU_MODES(CS_ENUM_VALUE) CS_CPU_MODE_LAST } CsCpuMode;
typedef enum { CS_CPU_MATCHES(CS_ENUM_VALUE) CS_CPU_MATCH_LAST } CsCpuMatch;
typedef enum { CS_CPU_CHECKS(CS_ENUM_VALUE) CS_CPU_CHECK_LAST } CsCpuCheck;
typedef enum { CS_CPU_FALLBACKS(CS_ENUM_VALUE) CS_CPU_FALLBACK_LAST } CsCpuFallback;
typedef enum {
    CS_FEATURE_POLICY_NONE = -1,
    CS_FEATURE_POLICIES(CS_ENUM_VALUE)
    CS_FEATURE_POLICY_LAST
} CsFeaturePolicy;
#undef CS_ENUM_VALUE

/* Name of an enum value ("host", "exact", "require", ...); NULL if out of range. */
CS_EXPORT const char *cs_cpu_type_to_string(CsCpuType v);
CS_EXPORT const char *cs_cpu_mode_to_string(CsCpuMode v);
CS_EXPORT const char *cs_cpu_match_to_string(CsCpuMatch v);
CS_EXPORT const char *cs_cpu_check_to_string(CsCpuCheck v);
CS_EXPORT const char *cs_cpu_fallback_to_string(CsCpuFallback v);
CS_EXPORT const char *cs_feature_policy_to_string(CsFeaturePolicy v);
/* Value of a name; -1 if unknown. */
CS_EXPORT int cs_cpu_type_from_string(const char *s);
CS_EXPORT int cs_cpu_mode_from_string(const char *s);
CS_EXPORT int cs_cpu_match_from_string(const char *s);
CS_EXPORT int cs_cpu_check_from_string(const char *s);
CS_EXPORT int cs_cpu_fallback_from_string(const char *s);
CS_EXPORT int cs_feature_policy_from_string(const char *s);

/* A CPU definition. Threads: a const CsCpuDef may be read from many
 * threads at once (getters, formatting, compare, encode, guest data,
 * baseline, psABI level, copies); the setters, cs_cpu_update*() on it as
 * the guest, cs_cpu_def_expand_features() and freeing need exclusive use. */
typedef struct _CsCpuDef CsCpuDef;

/* Returns: (transfer full) an empty definition of @type. */
CS_EXPORT CsCpuDef *cs_cpu_def_new(CsCpuType type);
/* Returns: (transfer full) a deep copy. */
CS_EXPORT CsCpuDef *cs_cpu_def_copy(const CsCpuDef *def);
CS_EXPORT void cs_cpu_def_free(CsCpuDef *def);

CS_EXPORT CsCpuType cs_cpu_def_get_type(const CsCpuDef *def);
CS_EXPORT CsCpuMode cs_cpu_def_get_mode(const CsCpuDef *def);
CS_EXPORT CsCpuMatch cs_cpu_def_get_match(const CsCpuDef *def);
/* Returns: (transfer none) or NULL. */
CS_EXPORT const char *cs_cpu_def_get_arch(const CsCpuDef *def);
CS_EXPORT const char *cs_cpu_def_get_model(const CsCpuDef *def);
CS_EXPORT const char *cs_cpu_def_get_vendor(const CsCpuDef *def);
CS_EXPORT CsCpuFallback cs_cpu_def_get_fallback(const CsCpuDef *def);
CS_EXPORT gboolean cs_cpu_def_get_signature(const CsCpuDef *def, guint *out_family,
                                            guint *out_model, guint *out_stepping);
CS_EXPORT CsCpuCheck cs_cpu_def_get_check(const CsCpuDef *def);
/* Returns: (transfer none) the <model vendor_id=> or NULL. */
CS_EXPORT const char *cs_cpu_def_get_vendor_id(const CsCpuDef *def);
/* FALSE when the definition has no microcode version. */
CS_EXPORT gboolean cs_cpu_def_get_microcode(const CsCpuDef *def, guint64 *out_version);
/* FALSE when the definition has no topology. */
CS_EXPORT gboolean cs_cpu_def_get_topology(const CsCpuDef *def, guint *out_sockets,
                                           guint *out_dies, guint *out_cores,
                                           guint *out_threads);
CS_EXPORT guint cs_cpu_def_get_n_features(const CsCpuDef *def);
/* Returns: (transfer none) the name of feature @i; @out_policy its policy. */
CS_EXPORT const char *cs_cpu_def_get_feature(const CsCpuDef *def, guint i,
                                             CsFeaturePolicy *out_policy);

CS_EXPORT void cs_cpu_def_set_mode(CsCpuDef *def, CsCpuMode mode);
CS_EXPORT void cs_cpu_def_set_match(CsCpuDef *def, CsCpuMatch match);
CS_EXPORT void cs_cpu_def_set_arch(CsCpuDef *def, const char *arch);
CS_EXPORT void cs_cpu_def_set_model(CsCpuDef *def, const char *model);
CS_EXPORT void cs_cpu_def_set_vendor(CsCpuDef *def, const char *vendor);
CS_EXPORT void cs_cpu_def_set_fallback(CsCpuDef *def, CsCpuFallback fallback);
CS_EXPORT void cs_cpu_def_set_microcode(CsCpuDef *def, guint64 version);
CS_EXPORT void cs_cpu_def_set_signature(CsCpuDef *def, guint family, guint model,
                                        guint stepping);
CS_EXPORT void cs_cpu_def_set_topology(CsCpuDef *def, guint sockets, guint dies,
                                       guint cores, guint threads);
/* Adds a feature or, if present, updates its policy. */
CS_EXPORT void cs_cpu_def_add_feature(CsCpuDef *def, const char *name,
                                      CsFeaturePolicy policy);

typedef enum {
    CS_PARSE_AUTO = 0,  /* a <cpu> with <arch> is a host CPU, any other a guest CPU */
    CS_PARSE_HOST,
    CS_PARSE_GUEST,
} CsParseType;

/* Parses the first <cpu> element of an XML document (a bare <cpu>, a
 * capabilities or domain document, ...). @source names the input in errors.
 * Returns: (transfer full) the definition, or NULL with @error set. */
CS_EXPORT CsCpuDef *cs_cpu_def_parse_xml(const char *xml, gsize len, const char *source,
                                         CsParseType type, GError **error);
/* Returns: (transfer full) as cs_cpu_def_parse_xml() on the contents of
 * @path, a regular file within the input size limit (cs-input.h). */
CS_EXPORT CsCpuDef *cs_cpu_def_load_file(const char *path, CsParseType type,
                                         GError **error);

/* Returns: (transfer full) libvirt's <cpu> XML for @def, indented by
 * @indent spaces (0 for a document of its own), as libvirt 9.0 writes it. */
CS_EXPORT char *cs_cpu_def_format_xml(const CsCpuDef *def, guint indent);

/* How a <cpu> is written beyond libvirt 9.0's form. */
typedef enum {
    CS_FORMAT_DEFAULT = 0,
    /* libvirt >= 10: <topology> always carries clusters (1 when not given) */
    CS_FORMAT_TOPOLOGY_CLUSTERS = 1 << 0,
} CsFormatFlags;

/* As cs_cpu_def_format_xml(), with @flags (see cs_cpu_map_get_format_flags()).
 * Returns: (transfer full) the XML. */
CS_EXPORT char *cs_cpu_def_format_xml_full(const CsCpuDef *def, guint indent,
                                           CsFormatFlags flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuDef, cs_cpu_def_free)

G_END_DECLS
