/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the CPU map (vendors, features, models) */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

/* An immutable, refcounted CPU map. Threads: any number may read one at
 * once and ref/unref it (atomic); the last unref frees it. */
typedef struct _CsCpuMap CsCpuMap;

/* Returns: (transfer full) the map compiled into the library. Never fails. */
CS_EXPORT CsCpuMap *cs_cpu_map_new_builtin(void);
/* Loads a libvirt cpu_map directory (index.xml and the files it includes).
 * Returns: (transfer full) the map, or NULL with @error set. */
CS_EXPORT CsCpuMap *cs_cpu_map_load_dir(const char *dir, GError **error);
CS_EXPORT CsCpuMap *cs_cpu_map_ref(CsCpuMap *map);
CS_EXPORT void cs_cpu_map_unref(CsCpuMap *map);

/* The form in which CPU definitions go with this map: the XML of the libvirt
 * generation its facts come from. A map with features added to models
 * later (libvirt >= 10.2, e.g. the built-in map) gets libvirt 10's form
 * (CS_FORMAT_TOPOLOGY_CLUSTERS); an older map (libvirt 9.0's) gets 9.0's.
 * Returns: flags for cs_cpu_def_format_xml_full(). */
CS_EXPORT guint cs_cpu_map_get_format_flags(const CsCpuMap *map);

/* Returns: (transfer none) where the map came from ("built-in" or the dir). */
CS_EXPORT const char *cs_cpu_map_get_source(const CsCpuMap *map);

/* Which release of libvirt's CPU map the facts of @map match, as
 * "PROJECT RELEASE" (the built-in map: "libvirt 12.8.0", from the
 * `identity` line of data/cpu-map/index). A map loaded from a directory
 * does not say which release it comes from.
 * Returns: (transfer none) the identity, or NULL when it is unknown. */
CS_EXPORT const char *cs_cpu_map_get_identity(const CsCpuMap *map);

CS_EXPORT guint cs_cpu_map_get_n_vendors(const CsCpuMap *map);
CS_EXPORT guint cs_cpu_map_get_n_features(const CsCpuMap *map);
CS_EXPORT guint cs_cpu_map_get_n_models(const CsCpuMap *map);

/* Index lookups; -1 when unknown. Feature lookups accept aliases. */
CS_EXPORT int cs_cpu_map_lookup_vendor(const CsCpuMap *map, const char *name);
CS_EXPORT int cs_cpu_map_lookup_feature(const CsCpuMap *map, const char *name);
CS_EXPORT int cs_cpu_map_lookup_model(const CsCpuMap *map, const char *name);

/* Checks a model list as decoding takes it ("Name" or "Name:blocker:...",
 * see cs_decode_options_set_allowed()): every name must be a model of @map
 * and every blocker a feature. Decoding itself ignores unknown names, as libvirt does
 * with a hypervisor's list; this is for lists a user typed.
 * Returns: TRUE, or FALSE with @error naming the first unknown name and the
 * nearest known ones. */
CS_EXPORT gboolean cs_cpu_map_check_model_list(const CsCpuMap *map,
                                               const char *const *entries,
                                               GError **error);

/* Accessors by index (map order). Returns: (transfer none). */
CS_EXPORT const char *cs_cpu_map_vendor_name(const CsCpuMap *map, guint i);
CS_EXPORT const char *cs_cpu_map_vendor_string(const CsCpuMap *map, guint i);
CS_EXPORT const char *cs_cpu_map_feature_name(const CsCpuMap *map, guint i);
CS_EXPORT gboolean cs_cpu_map_feature_migratable(const CsCpuMap *map, guint i);
/* Returns: (transfer none) NULL-terminated aliases of feature @i. */
CS_EXPORT const char *const *cs_cpu_map_feature_aliases(const CsCpuMap *map, guint i);
/* Returns: (transfer full) the feature's bits as raw CPU data. */
CS_EXPORT struct _CsCpuidData *cs_cpu_map_feature_data(const CsCpuMap *map, guint i);
CS_EXPORT const char *cs_cpu_map_model_name(const CsCpuMap *map, guint i);
/* Returns: (transfer none) the vendor name of model @i, or NULL. */
CS_EXPORT const char *cs_cpu_map_model_vendor(const CsCpuMap *map, guint i);
CS_EXPORT gboolean cs_cpu_map_model_decode_host(const CsCpuMap *map, guint i);
CS_EXPORT gboolean cs_cpu_map_model_decode_guest(const CsCpuMap *map, guint i);
/* Returns: (transfer none) the model this one is an alias/version of, or NULL. */
CS_EXPORT const char *cs_cpu_map_model_alias_of(const CsCpuMap *map, guint i);
/* Model versions (libvirt's and QEMU's "Haswell-v4": version 4 of Haswell,
 * based on Haswell-noTSX-IBRS). Returns the index of the model @i is a
 * version of, with the version in *@out_version: a model named BASE-vN of a
 * map that has BASE is version N of BASE; any other model is the version
 * of the lowest-numbered BASE-vN based on it (Haswell-noTSX is Haswell-v2,
 * Haswell is Haswell-v1). -1 when the model is no version of anything. */
CS_EXPORT int cs_cpu_map_model_version(const CsCpuMap *map, guint i, guint *out_version);

#define CS_MODEL_RELATIONS(X) \
    X(CS_MODEL_UNRELATED,   "unrelated") \
    X(CS_MODEL_SAME,        "same") \
    X(CS_MODEL_VERSION_OF,  "version-of")  /* a is a version or alias of b */ \
    X(CS_MODEL_HAS_VERSION, "has-version") /* b is a version or alias of a */ \
    X(CS_MODEL_SIBLINGS,    "siblings")    /* both are versions of one model */

#define CS_ENUM_VALUE(id, name) id,
typedef enum { CS_MODEL_RELATIONS(CS_ENUM_VALUE) CS_MODEL_RELATION_LAST } CsModelRelation;
#undef CS_ENUM_VALUE
CS_EXPORT const char *cs_model_relation_to_string(CsModelRelation relation);

/* How models @a and @b are related: one is a version or alias of the other
 * (through alias_of, at any depth, or as a version of the model that is
 * the other), or both are versions of one model. When the relation comes
 * from versions (cs_cpu_map_model_version()), the model they are versions
 * of goes to *@out_family, else -1. */
CS_EXPORT CsModelRelation cs_cpu_map_model_relation(const CsCpuMap *map, guint a, guint b,
                                                    int *out_family);
/* Returns: (transfer full) NULL-terminated feature names of model @i, in map order. */
CS_EXPORT char **cs_cpu_map_model_features(const CsCpuMap *map, guint i);
/* Returns: (transfer full) the model's signatures as text ("6/85/0-4", ...). */
CS_EXPORT char **cs_cpu_map_model_signatures(const CsCpuMap *map, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuMap, cs_cpu_map_unref)

G_END_DECLS
