/* libcpusel: updating a guest CPU against a host (libvirt's virCPUUpdate) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "error-private.h"
#include "guest-private.h"

CsCpuDef *
cs_cpu_def_copy_migratable(const CsCpuMap *map, const CsCpuDef *host)
{
    CsCpuDef *copy;

    g_return_val_if_fail(map != NULL && host != NULL, NULL);
    copy = cs_cpu_def_copy(host);
    for (guint i = copy->features->len; i-- > 0;) {
        const char *name = g_array_index(copy->features, CsCpuFeature, i).name;
        int fi = cs_cpu_map_lookup_feature(map, name);

        /* unknown names are kept, as libvirt only drops its known blockers */
        if (fi >= 0 && !map->t.features[fi].migratable)
            cs_cpu_def_remove_feature_at(copy, i);
    }
    return copy;
}

/* Sets @name's policy in @def, appending it when absent. */
static void
update_feature(CsCpuDef *def, const char *name, CsFeaturePolicy policy)
{
    int i = cs_cpu_def_find_feature(def, name);

    if (i >= 0)
        g_array_index(def->features, CsCpuFeature, i).policy = policy;
    else
        cs_cpu_def_append_feature(def, name, policy);
}

/* The guest takes the host's model and features, its own applied on top
 * (libvirt's x86UpdateHostModel). */
static void
update_host_model(CsCpuDef *guest, const CsCpuDef *host)
{
    g_autoptr(CsCpuDef) updated = cs_cpu_def_new(CS_CPU_TYPE_GUEST);

    for (guint i = 0; i < host->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(host->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(updated, f->name,
                                  f->policy == CS_FEATURE_POLICY_NONE ?
                                  CS_FEATURE_REQUIRE : f->policy);
    }
    for (guint i = 0; i < guest->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);

        update_feature(updated, f->name, f->policy);
    }

    /* a custom guest keeps its vendor; a host-model one takes the host's,
     * keeping its own vendor_id if it has one */
    if (guest->mode != CS_CPU_MODE_CUSTOM) {
        g_free(guest->vendor);
        guest->vendor = g_strdup(host->vendor);
        if (!guest->vendor_id)
            guest->vendor_id = g_strdup(host->vendor_id);
    }
    g_free(guest->model);
    guest->model = g_strdup(host->model);
    cs_cpu_def_clear_features(guest);
    for (guint i = 0; i < updated->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(updated->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(guest, f->name, f->policy);
    }
    guest->mode = CS_CPU_MODE_CUSTOM;
    guest->match = CS_CPU_MATCH_EXACT;
}

/* Features the guest's model once had get @policy unless listed (libvirt
 * 12.8's removedPolicy; 9.0 always disabled them). */
static gboolean
add_removed(const CsCpuMap *map, CsCpuDef *guest, CsFeaturePolicy policy, GError **error)
{
    int mi = guest->model ? cs_cpu_map_lookup_model(map, guest->model) : -1;

    if (mi < 0) {
        g_autofree char *shown = cs_shown(guest->model ? guest->model : "");

        g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_MODEL, "unknown CPU model '%s'",
                    shown);
        return FALSE;
    }
    for (guint r = 0; r < map->t.models[mi].n_removed; r++) {
        const char *name = map->t.features[map->t.models[mi].removed[r]].name;

        if (cs_cpu_def_find_feature(guest, name) < 0)
            cs_cpu_def_append_feature(guest, name, policy);
    }
    return TRUE;
}

static gboolean
has_optional(const CsCpuDef *def)
{
    for (guint i = 0; i < def->features->len; i++) {
        if (g_array_index(def->features, CsCpuFeature, i).policy == CS_FEATURE_OPTIONAL)
            return TRUE;
    }
    return FALSE;
}

gboolean
cs_cpu_update(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
              CsUpdateFlags flags, GError **error)
{
    return cs_cpu_update_full(map, guest, host, flags, CS_FEATURE_DISABLE, error);
}

gboolean
cs_cpu_update_full(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
                   CsUpdateFlags flags, CsFeaturePolicy removed_policy, GError **error)
{
    g_autoptr(CsCpuDef) migratable = NULL;
    g_autofree CsWord *host_vec = NULL;
    gboolean relative;
    CsArchKind kind;

    g_return_val_if_fail(map != NULL && guest != NULL, FALSE);
    g_return_val_if_fail(removed_policy >= CS_FEATURE_FORCE &&
                         removed_policy <= CS_FEATURE_FORBID, FALSE);

    kind = cs_arch_kind(host ? host->arch : NULL);
    if (kind == CS_ARCH_UNSUPPORTED)
        return cs_arch_unsupported(host->arch, error);
    if (guest->mode == CS_CPU_MODE_HOST_PASSTHROUGH || guest->mode == CS_CPU_MODE_MAXIMUM)
        return TRUE;
    /* only host-model, minimum-match and optional features depend on the
     * host; the rest only gets its removed features disabled */
    relative = guest->mode != CS_CPU_MODE_CUSTOM ||
               guest->match == CS_CPU_MATCH_MINIMUM || has_optional(guest);

    if (relative) {
        if (!host) {
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "the guest CPU needs a host CPU to be updated against");
            return FALSE;
        }
        if (flags & CS_UPDATE_MIGRATABLE_HOST)
            host = migratable = cs_cpu_def_copy_migratable(map, host);
        if (kind == CS_ARCH_X86 &&
            !(host_vec = cs_x86_def_to_vec(map, host, CS_X86_ALL, error)))
            return FALSE;

        for (guint i = 0; i < guest->features->len; i++) {
            CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);
            gboolean has;

            if (f->policy != CS_FEATURE_OPTIONAL)
                continue;
            if (kind == CS_ARCH_X86) {
                int fi = cs_cpu_map_lookup_feature(map, f->name);

                if (fi < 0) {
                    g_autofree char *shown = cs_shown(f->name);

                    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_FEATURE,
                                "unknown CPU feature '%s'", shown);
                    return FALSE;
                }
                has = cs_vec_has_feature(host_vec, &map->t.features[fi]);
            } else {
                has = cs_cpu_def_find_feature(host, f->name) >= 0;
            }
            f->policy = has ? CS_FEATURE_REQUIRE : CS_FEATURE_DISABLE;
        }

        if (guest->mode == CS_CPU_MODE_HOST_MODEL || guest->match == CS_CPU_MATCH_MINIMUM)
            update_host_model(guest, host);
    }

    if (kind == CS_ARCH_X86)
        return add_removed(map, guest, removed_policy, error);
    return TRUE;
}
