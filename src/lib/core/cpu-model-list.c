/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: a hypervisor's list of CPU models, and QEMU's feature
 * spellings translated to the map's names */
#include <string.h>
#include "cpu-model-list-private.h"
#include "cpu-map-private.h"

static void
entry_clear(gpointer p)
{
    CsModelEntry *e = p;

    g_free(e->name);
    g_strfreev(e->blockers);
    g_free(e->alias_of);
}

CsCpuModelList *
cs_cpu_model_list_new(void)
{
    CsCpuModelList *list = g_new0(CsCpuModelList, 1);

    list->entries = g_array_new(FALSE, TRUE, sizeof(CsModelEntry));
    g_array_set_clear_func(list->entries, entry_clear);
    return list;
}

void
cs_cpu_model_list_append(CsCpuModelList *list, const char *name, char **blockers,
                         gboolean deprecated, const char *alias_of)
{
    CsModelEntry e = {
        .name = g_strdup(name),
        .blockers = blockers ? blockers : g_new0(char *, 1),
        .deprecated = deprecated,
        .alias_of = g_strdup(alias_of),
    };

    g_array_append_val(list->entries, e);
}

void
cs_cpu_model_list_free(CsCpuModelList *list)
{
    if (!list)
        return;
    g_array_unref(list->entries);
    g_free(list);
}

CsCpuModelList *
cs_cpu_model_list_new_from_spec(const char *const *entries)
{
    CsCpuModelList *list = cs_cpu_model_list_new();

    for (guint i = 0; entries && entries[i]; i++) {
        g_auto(GStrv) parts = NULL;
        char **blockers;
        guint n, k = 0;

        if (!*entries[i])
            continue;
        parts = g_strsplit(entries[i], ":", -1);
        n = g_strv_length(parts);
        blockers = g_new0(char *, n);
        for (guint p = 1; p < n; p++) {
            if (*parts[p])
                blockers[k++] = g_strdup(parts[p]);
        }
        cs_cpu_model_list_append(list, parts[0], blockers, FALSE, NULL);
    }
    return list;
}

#define ENTRY(list, i) (&g_array_index((list)->entries, CsModelEntry, (i)))

guint
cs_cpu_model_list_get_n(const CsCpuModelList *list)
{
    g_return_val_if_fail(list != NULL, 0);
    return list->entries->len;
}

const char *
cs_cpu_model_list_get_name(const CsCpuModelList *list, guint i)
{
    g_return_val_if_fail(list != NULL && i < list->entries->len, NULL);
    return ENTRY(list, i)->name;
}

const char *const *
cs_cpu_model_list_get_blockers(const CsCpuModelList *list, guint i)
{
    g_return_val_if_fail(list != NULL && i < list->entries->len, NULL);
    return (const char *const *) ENTRY(list, i)->blockers;
}

gboolean
cs_cpu_model_list_get_deprecated(const CsCpuModelList *list, guint i)
{
    g_return_val_if_fail(list != NULL && i < list->entries->len, FALSE);
    return ENTRY(list, i)->deprecated;
}

const char *
cs_cpu_model_list_get_alias_of(const CsCpuModelList *list, guint i)
{
    g_return_val_if_fail(list != NULL && i < list->entries->len, NULL);
    return ENTRY(list, i)->alias_of;
}

/* QEMU spellings that neither a map alias nor the dash/underscore swap
 * reaches (older maps have fewer aliases): QEMU's own alternative names. */
static const struct {
    const char *qemu;
    const char *map;
} qemu_names[] = {
    { "sse4-1", "sse4.1" },
    { "sse4_1", "sse4.1" },
    { "sse4-2", "sse4.2" },
    { "sse4_2", "sse4.2" },
    { "pclmulqdq", "pclmuldq" },
    { "sse3", "pni" },
    { "i64", "lm" },
    { "xd", "nx" },
    { "ffxsr", "fxsr_opt" },
    { "cqm", "cmt" },
};

static const char *
canonical(const CsCpuMap *map, const char *name)
{
    int f = cs_cpu_map_lookup_feature(map, name);

    return f >= 0 ? map->t.features[f].name : NULL;
}

const char *
cs_cpu_map_feature_from_qemu(const CsCpuMap *map, const char *name)
{
    g_autofree char *swapped = NULL;
    const char *found;

    g_return_val_if_fail(map != NULL && name != NULL, NULL);
    if ((found = canonical(map, name)))
        return found;
    for (guint i = 0; i < G_N_ELEMENTS(qemu_names); i++) {
        if (strcmp(name, qemu_names[i].qemu) == 0 &&
            (found = canonical(map, qemu_names[i].map)))
            return found;
    }
    /* QEMU writes '-' where libvirt's older names have '_' (lahf-lm,
     * kvm-pv-eoi) and, for a few, the other way round */
    swapped = g_strdelimit(g_strdup(name), "-", '_');
    if (strcmp(swapped, name) != 0 && (found = canonical(map, swapped)))
        return found;
    g_free(swapped);
    swapped = g_strdelimit(g_strdup(name), "_", '-');
    if (strcmp(swapped, name) != 0 && (found = canonical(map, swapped)))
        return found;
    return NULL;
}

char **
cs_cpu_model_list_to_allowed(const CsCpuModelList *list, const CsCpuMap *map)
{
    char **out;

    g_return_val_if_fail(list != NULL && map != NULL, NULL);
    out = g_new0(char *, list->entries->len + 1);
    for (guint i = 0; i < list->entries->len; i++) {
        const CsModelEntry *e = ENTRY(list, i);
        g_autoptr(GString) s = g_string_new(e->name);

        for (guint b = 0; e->blockers[b]; b++) {
            const char *name = cs_cpu_map_feature_from_qemu(map, e->blockers[b]);

            g_string_append_c(s, ':');
            g_string_append(s, name ? name : e->blockers[b]);
        }
        out[i] = g_string_free(g_steal_pointer(&s), FALSE);
    }
    return out;
}
