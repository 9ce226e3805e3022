/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: computing domain capabilities' CPU part (libvirt's
 * virQEMUCapsFillDomainCPUCaps when QEMU gives no host CPU model of its
 * own: the host data decoded; the usable models as the driver of CPUID
 * data judges them, or as the hypervisor's list says) */
#include <stdlib.h>
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-guest.h>
#include "drivers/arch.h"
#include "core/cpu-model-list-private.h"
#include "core/domain-caps-private.h"
#include "core/decode-options-private.h"

static int
str_ptr_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static int
rank_cmp(gconstpointer a, gconstpointer b, gpointer user_data)
{
    const guint16 *rank = user_data;

    return (int) rank[*(const guint16 *) a] - (int) rank[*(const guint16 *) b];
}

typedef struct {
    const char *name;
    guint index;
} NamedIndex;

static int
named_index_cmp(const void *a, const void *b)
{
    return strcmp(((const NamedIndex *) a)->name, ((const NamedIndex *) b)->name);
}

static const char *
model_vendor(const CsCpuMap *map, int mi)
{
    int v = map->t.models[mi].vendor;

    return v >= 0 ? map->t.vendors[v].name : NULL;
}

/* The host-model CPU: @data decoded as a guest CPU restricted to
 * @allowed, then without migration blockers. NULL without an error when
 * no model fits. */
static gboolean
host_model(const CsCpuMap *map, const CsCpuidData *data, const char *const *allowed,
           CsCpuDef **out_def, GError **error)
{
    g_autoptr(GError) local = NULL;
    g_autoptr(CsCpuDef) decoded = NULL;
    CsDecodeOptions opts = CS_DECODE_OPTIONS_INIT(CS_DECODE_GUEST);
    CsCpuDef *def;

    opts.allowed = allowed;
    decoded = cs_cpu_decode_with(map, data, &opts, &local);
    if (!decoded) {
        if (g_error_matches(local, CS_ERROR, CS_ERROR_NO_MODEL)) {
            g_debug("no host-model CPU: %s", local->message);
            *out_def = NULL;
            return TRUE;
        }
        g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    def = cs_cpu_def_copy_migratable(map, decoded);
    def->sig_family = def->sig_model = def->sig_stepping = 0;
    *out_def = def;
    return TRUE;
}

/* Every map model, by name, usable when @data has its features; blockers
 * sorted by name through a rank table (one sort of the map's names instead
 * of one per model). */
static void
models_from_data(CsDomainCaps *caps, const CsCpuMap *map, const CsCpuidData *data)
{
    const CsArchDriver *drv = cs_arch_driver_cpuid();
    g_autofree CsWord *vec = cs_vec_new(map);
    g_autofree NamedIndex *order = g_new(NamedIndex, MAX(map->t.n_models,
                                                          map->t.n_features));
    g_autofree guint16 *rank = g_new(guint16, map->t.n_features);
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint16));

    drv->data_vec(map, data, vec);
    for (guint f = 0; f < map->t.n_features; f++)
        order[f] = (NamedIndex) { .name = map->t.features[f].name, .index = f };
    qsort(order, map->t.n_features, sizeof(NamedIndex), named_index_cmp);
    for (guint k = 0; k < map->t.n_features; k++)
        rank[order[k].index] = k;

    for (guint i = 0; i < map->t.n_models; i++)
        order[i] = (NamedIndex) { .name = map->t.models[i].name, .index = i };
    qsort(order, map->t.n_models, sizeof(NamedIndex), named_index_cmp);
    for (guint k = 0; k < map->t.n_models; k++) {
        guint i = order[k].index;
        CsDomCapsModel m = {
            .name = map->t.models[i].name,
            .vendor = model_vendor(map, i),
            .canonical = map->t.models[i].alias_of,
        };

        g_array_set_size(idx, 0);
        drv->model_blockers(map, vec, i, idx);
        g_array_sort_with_data(idx, rank_cmp, rank);
        m.blockers = g_new(const char *, idx->len + 1);
        for (guint b = 0; b < idx->len; b++)
            m.blockers[b] = map->t.features[g_array_index(idx, guint16, b)].name;
        m.blockers[idx->len] = NULL;
        m.usable = idx->len == 0;
        g_array_append_val(caps->models, m);
    }
}

/* The listed models the map knows, as the hypervisor judges them. */
static void
models_from_list(CsDomainCaps *caps, const CsCpuMap *map, const CsCpuModelList *list)
{
    for (guint i = 0; i < list->entries->len; i++) {
        const CsModelEntry *e = &g_array_index(list->entries, CsModelEntry, i);
        int mi = cs_cpu_map_lookup_model(map, e->name);
        guint n = g_strv_length(e->blockers);
        CsDomCapsModel m = { 0 };

        if (mi < 0) {
            g_debug("model '%s' of the hypervisor is not in the map", e->name);
            continue;
        }
        m.name = map->t.models[mi].name;
        m.vendor = model_vendor(map, mi);
        m.deprecated = e->deprecated;
        m.canonical = e->alias_of ? g_string_chunk_insert_const(caps->strings, e->alias_of)
                                  : NULL;
        m.blockers = g_new0(const char *, n + 1);
        for (guint b = 0; b < n; b++) {
            const char *name = cs_cpu_map_feature_from_qemu(map, e->blockers[b]);

            m.blockers[b] = name ? name : g_string_chunk_insert_const(caps->strings,
                                                                      e->blockers[b]);
        }
        qsort(m.blockers, n, sizeof(char *), str_ptr_cmp);
        m.usable = n == 0;
        g_array_append_val(caps->models, m);
    }
}

CsDomainCaps *
cs_domain_caps_new(const CsCpuMap *map, const CsCpuidData *data,
                   const CsCpuModelList *models, GError **error)
{
    g_autoptr(CsDomainCaps) caps = NULL;
    g_auto(GStrv) allowed = NULL;

    g_return_val_if_fail(map != NULL && data != NULL, NULL);

    caps = cs_domain_caps_alloc();
    if (models)
        allowed = cs_cpu_model_list_to_allowed(models, map);
    if (!host_model(map, data, (const char *const *) allowed, &caps->host_model, error))
        return NULL;
    if (models)
        models_from_list(caps, map, models);
    else
        models_from_data(caps, map, data);
    return g_steal_pointer(&caps);
}

