/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the hypervisor's view of a host: KVM's supported CPU data, the
 * hypervisor's list of CPU models (QEMU's query-cpu-definitions), domain
 * capabilities and the node labels derived from them */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>

G_BEGIN_DECLS

/* ---- KVM ------------------------------------------------------------------ */

/* Reads what KVM can give a guest on this machine: KVM_GET_SUPPORTED_CPUID
 * on /dev/kvm (entries whose four registers are zero are left out, as
 * libvirt's virCPUDataGetHost + virCPUDataFormat leave them out) and the
 * feature MSRs KVM reports through KVM_GET_MSR_FEATURE_INDEX_LIST that the
 * CPU maps describe (IA32_ARCH_CAPABILITIES 0x10a, IA32_CORE_CAPABILITIES
 * 0xcf, the VMX capability MSRs 0x480-0x491), read with KVM_GET_MSRS.
 * Returns: (transfer full) the data, or NULL with @error set (CS_ERROR_IO
 * when /dev/kvm is absent or cannot be opened, CS_ERROR_UNSUPPORTED on a
 * machine without KVM's x86 interface). */
CS_EXPORT CsCpuidData *cs_cpuid_data_new_from_kvm(GError **error);

/* ---- The hypervisor's CPU models ------------------------------------------- */

/* Which CPU models a hypervisor offers and, for each, the features that
 * keep it from running on the host ("blockers", QEMU's
 * "unavailable-features"; none = usable), as QEMU's query-cpu-definitions
 * reply or a "--models NAME:blocker:..." list gives them. Immutable. */
typedef struct _CsCpuModelList CsCpuModelList;

/* Parses the QMP reply to query-cpu-definitions. @text holds one or more
 * JSON documents (a QMP session transcript); the reply used is the first
 * whose "return" is a non-empty list of CPU definitions carrying
 * "unavailable-features". @source names the input in errors.
 * Returns: (transfer full) the list, or NULL with @error set (CS_ERROR_PARSE
 * for malformed or truncated JSON, CS_ERROR_INVALID when no document is
 * such a reply or a definition has members of the wrong type). */
CS_EXPORT CsCpuModelList *cs_cpu_model_list_parse_qmp(const char *text, gsize len,
                                                      const char *source,
                                                      GError **error);
/* Returns: (transfer full) as cs_cpu_model_list_parse_qmp() on the file's
 * contents, or NULL with @error set (CS_ERROR_IO when unreadable). */
CS_EXPORT CsCpuModelList *cs_cpu_model_list_load_qmp(const char *path, GError **error);
/* Returns: (transfer full) the list of @entries, each "NAME" or
 * "NAME:blocker:blocker..." (the --models syntax). */
CS_EXPORT CsCpuModelList *cs_cpu_model_list_new_from_spec(const char *const *entries);
CS_EXPORT void cs_cpu_model_list_free(CsCpuModelList *list);

CS_EXPORT guint cs_cpu_model_list_get_n(const CsCpuModelList *list);
/* Returns: (transfer none) the name of model @i (list order). */
CS_EXPORT const char *cs_cpu_model_list_get_name(const CsCpuModelList *list, guint i);
/* Returns: (transfer none) NULL-terminated blockers of model @i, spelled as
 * the hypervisor spells them. */
CS_EXPORT const char *const *cs_cpu_model_list_get_blockers(const CsCpuModelList *list,
                                                            guint i);
/* Whether the hypervisor marks model @i deprecated (QEMU's "deprecated"). */
CS_EXPORT gboolean cs_cpu_model_list_get_deprecated(const CsCpuModelList *list, guint i);
/* Returns: (transfer none) the model @i is an alias of (QEMU's "alias-of")
 * or NULL. */
CS_EXPORT const char *cs_cpu_model_list_get_alias_of(const CsCpuModelList *list, guint i);

/* The map's own name of a feature as QEMU spells it: aliases of the map
 * ("pclmulqdq"), QEMU's dashes for the map's underscores ("lahf-lm") and
 * the few names QEMU writes otherwise ("sse4-1"). Exact names come back
 * unchanged. Returns: (transfer none) the canonical name, or NULL when the
 * map has no such feature. */
CS_EXPORT const char *cs_cpu_map_feature_from_qemu(const CsCpuMap *map, const char *name);

/* The list as cs_decode_options_set_allowed()'s entries, blockers
 * translated with cs_cpu_map_feature_from_qemu() (names the map does not
 * know are kept as given: they still block the model).
 * Returns: (transfer full) NULL-terminated "NAME" / "NAME:f1:f2" entries. */
CS_EXPORT char **cs_cpu_model_list_to_allowed(const CsCpuModelList *list,
                                              const CsCpuMap *map);

/* ---- Domain capabilities ----------------------------------------------------- */

/* libvirt's domain capabilities <cpu> element for a host whose hypervisor
 * offers @data: host-passthrough and maximum (always supported), the
 * host-model CPU and every custom model with its usability. Immutable. */
typedef struct _CsDomainCaps CsDomainCaps;

/* Computes the domain capabilities of @data under @map.
 * host-model: @data decoded as a guest CPU (match exact, fallback forbid),
 * restricted to @models when given, then without the features that block
 * migration (libvirt's virCPUCopyMigratable, as when the hypervisor gives
 * no migratability information).
 * custom: without @models, every map model (sorted by name), usable when
 * @data has all its features, blockers = cs_cpu_model_blockers(); with
 * @models, the listed models the map knows, in list order, usable and
 * blocked as the list says (blockers translated to map names).
 * Returns: (transfer full) the capabilities, or NULL with @error set. */
CS_EXPORT CsDomainCaps *cs_domain_caps_new(const CsCpuMap *map, const CsCpuidData *data,
                                           const CsCpuModelList *models,
                                           GError **error);
CS_EXPORT void cs_domain_caps_free(CsDomainCaps *caps);

/* Returns: (transfer none) the host-model CPU, or NULL when no allowed model
 * fits the data (host-model is then not supported). */
CS_EXPORT const CsCpuDef *cs_domain_caps_get_host_model(const CsDomainCaps *caps);
CS_EXPORT guint cs_domain_caps_get_n_models(const CsDomainCaps *caps);
/* Model @i of the custom mode. Returns: (transfer none). */
CS_EXPORT const char *cs_domain_caps_model_name(const CsDomainCaps *caps, guint i);
CS_EXPORT gboolean cs_domain_caps_model_usable(const CsDomainCaps *caps, guint i);
CS_EXPORT gboolean cs_domain_caps_model_deprecated(const CsDomainCaps *caps, guint i);
/* Returns: (transfer none) the model's vendor, or NULL ("unknown"). */
CS_EXPORT const char *cs_domain_caps_model_vendor(const CsDomainCaps *caps, guint i);
/* Returns: (transfer none) the model this one is a version or alias of, or
 * NULL. */
CS_EXPORT const char *cs_domain_caps_model_canonical(const CsDomainCaps *caps, guint i);
/* Returns: (transfer none) NULL-terminated blockers (empty when usable),
 * sorted by name as libvirt prints them. */
CS_EXPORT const char *const *cs_domain_caps_model_blockers(const CsDomainCaps *caps,
                                                           guint i);

/* Returns: (transfer full) a <domainCapabilities> document holding the
 * <cpu> element, in libvirt's element and attribute order. */
CS_EXPORT char *cs_domain_caps_format_xml(const CsDomainCaps *caps);

/* ---- Node labels -------------------------------------------------------------- */

/* KubeVirt's node-labeller CPU labels for a host with @caps, as "key=value"
 * strings sorted by key: cpu-model and cpu-model-migration for the usable,
 * non-obsolete models whose features the host-model has, host-model-cpu,
 * cpu-feature for the host-model's features (its model expanded),
 * host-model-required-features for the features it lists as required,
 * cpu-vendor, and node-labeller.kubevirt.io/obsolete-host-model when the
 * host-model is obsolete. @obsolete: NULL-terminated model names to leave
 * out, or NULL for KubeVirt's default list.
 * Returns: (transfer full) NULL-terminated labels, or NULL with @error set
 * (no host-model: the labeller needs one). */
CS_EXPORT char **cs_domain_caps_labels(const CsCpuMap *map, const CsDomainCaps *caps,
                                       const char *const *obsolete, GError **error);
/* Returns: (transfer none) KubeVirt's default obsolete CPU models,
 * NULL-terminated. */
CS_EXPORT const char *const *cs_labels_default_obsolete(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuModelList, cs_cpu_model_list_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsDomainCaps, cs_domain_caps_free)

G_END_DECLS
