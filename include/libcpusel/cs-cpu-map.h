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

CS_EXPORT guint cs_cpu_map_get_n_vendors(const CsCpuMap *map);
CS_EXPORT guint cs_cpu_map_get_n_features(const CsCpuMap *map);
CS_EXPORT guint cs_cpu_map_get_n_models(const CsCpuMap *map);

/* Index lookups; -1 when unknown. Feature lookups accept aliases. */
CS_EXPORT int cs_cpu_map_lookup_vendor(const CsCpuMap *map, const char *name);
CS_EXPORT int cs_cpu_map_lookup_feature(const CsCpuMap *map, const char *name);
CS_EXPORT int cs_cpu_map_lookup_model(const CsCpuMap *map, const char *name);

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
/* Returns: (transfer full) NULL-terminated feature names of model @i, in map order. */
CS_EXPORT char **cs_cpu_map_model_features(const CsCpuMap *map, guint i);
/* Returns: (transfer full) the model's signatures as text ("6/85/0-4", ...). */
CS_EXPORT char **cs_cpu_map_model_signatures(const CsCpuMap *map, guint i);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuMap, cs_cpu_map_unref)

G_END_DECLS
