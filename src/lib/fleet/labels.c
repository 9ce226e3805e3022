/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: KubeVirt's node labels for a host (its node-labeller's CPU
 * labels, computed from domain capabilities as the labeller computes them
 * from `virsh domcapabilities` and `virsh hypervisor-cpu-baseline
 * --features`) */
#include <stdlib.h>
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-ops.h>
#include <libcpusel/cs-hypervisor.h>

/* KubeVirt's DefaultObsoleteCPUModels (virt-handler's node-labeller). */
static const char *const default_obsolete[] = {
    "486", "486-v1", "pentium", "pentium-v1", "pentium2", "pentium2-v1",
    "pentium3", "pentium3-v1", "pentiumpro", "pentiumpro-v1", "coreduo",
    "coreduo-v1", "n270", "n270-v1", "core2duo", "core2duo-v1", "Conroe",
    "Conroe-v1", "athlon", "athlon-v1", "phenom", "phenom-v1", "qemu64",
    "qemu64-v1", "qemu32", "qemu32-v1", "kvm64", "kvm64-v1", "kvm32", "kvm32-v1",
    "Opteron_G1", "Opteron_G1-v1", "Opteron_G2", "Opteron_G2-v1", NULL
};

#define LABEL_CPU_FEATURE "cpu-feature.node.kubevirt.io/"
#define LABEL_CPU_MODEL "cpu-model.node.kubevirt.io/"
#define LABEL_MODEL_MIGRATION "cpu-model-migration.node.kubevirt.io/"
#define LABEL_VENDOR "cpu-vendor.node.kubevirt.io/"
#define LABEL_HOST_MODEL "host-model-cpu.node.kubevirt.io/"
#define LABEL_HOST_MODEL_FEATURE "host-model-required-features.node.kubevirt.io/"
#define LABEL_OBSOLETE_HOST_MODEL "node-labeller.kubevirt.io/obsolete-host-model"

const char *const *
cs_labels_default_obsolete(void)
{
    return default_obsolete;
}

static gboolean
strv_has(const char *const *v, const char *s)
{
    for (guint i = 0; v && v[i]; i++) {
        if (strcmp(v[i], s) == 0)
            return TRUE;
    }
    return FALSE;
}

/* A label key's name part may hold [A-Za-z0-9._-] only: anything else (the
 * blank of "Zhaoxin CentaurHauls") becomes '-'. */
static void
add_label(GHashTable *labels, const char *prefix, const char *name, const char *value)
{
    g_autofree char *clean = g_strdup(name ? name : "");

    for (char *p = clean; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
            *p = '-';
    }
    g_hash_table_add(labels, g_strconcat(prefix, clean, "=", value, NULL));
}

/* Orders "key=value" strings by key. */
static int
label_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *) a;
    const char *y = *(const char *const *) b;
    gsize kx = strcspn(x, "="), ky = strcspn(y, "=");
    int c = strncmp(x, y, MIN(kx, ky));

    if (c != 0)
        return c;
    return kx < ky ? -1 : kx > ky ? 1 : strcmp(x + kx, y + ky);
}

/* Whether the map says model @name has only features of @have (KubeVirt's
 * check of libvirt's model definition against the feature labels). */
static gboolean
model_features_in(const CsCpuMap *map, const char *name, GHashTable *have)
{
    int mi = cs_cpu_map_lookup_model(map, name);
    g_auto(GStrv) features = NULL;

    if (mi < 0)
        return FALSE;
    features = cs_cpu_map_model_features(map, mi);
    for (guint i = 0; features[i]; i++) {
        if (!g_hash_table_contains(have, features[i]))
            return FALSE;
    }
    return TRUE;
}

char **
cs_domain_caps_labels(const CsCpuMap *map, const CsDomainCaps *caps,
                      const char *const *obsolete, GError **error)
{
    const CsCpuDef *host_model;
    g_autoptr(CsCpuDef) expanded = NULL;
    g_autoptr(GHashTable) labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                        NULL);
    g_autoptr(GHashTable) features = g_hash_table_new(g_str_hash, g_str_equal);
    const char *model;
    guint n = 0;
    char **out;
    GHashTableIter iter;
    gpointer key;

    g_return_val_if_fail(map != NULL && caps != NULL, NULL);
    if (!obsolete)
        obsolete = default_obsolete;
    if (!(host_model = cs_domain_caps_get_host_model(caps))) {
        g_set_error(error, CS_ERROR, CS_ERROR_NO_MODEL,
                    "no host-model CPU: no allowed CPU model fits the host's data");
        return NULL;
    }
    model = cs_cpu_def_get_model(host_model);

    /* the host-model with its model's features listed: what
     * hypervisor-cpu-baseline --features gives the labeller */
    expanded = cs_cpu_def_copy(host_model);
    if (!cs_cpu_def_expand_features(map, expanded, error))
        return NULL;
    for (guint i = 0; i < cs_cpu_def_get_n_features(expanded); i++) {
        CsFeaturePolicy policy;
        const char *name = cs_cpu_def_get_feature(expanded, i, &policy);

        if (policy == CS_FEATURE_REQUIRE) {
            g_hash_table_add(features, (gpointer) name);
            add_label(labels, LABEL_CPU_FEATURE, name, "true");
        }
    }
    for (guint i = 0; i < cs_cpu_def_get_n_features(host_model); i++) {
        CsFeaturePolicy policy;
        const char *name = cs_cpu_def_get_feature(host_model, i, &policy);

        if (policy == CS_FEATURE_REQUIRE)
            add_label(labels, LABEL_HOST_MODEL_FEATURE, name, "true");
    }
    for (guint i = 0; i < cs_domain_caps_get_n_models(caps); i++) {
        const char *name = cs_domain_caps_model_name(caps, i);

        if (!cs_domain_caps_model_usable(caps, i) || strv_has(obsolete, name))
            continue;
        if (strcmp(name, model) != 0 && !model_features_in(map, name, features))
            continue;
        add_label(labels, LABEL_CPU_MODEL, name, "true");
        add_label(labels, LABEL_MODEL_MIGRATION, name, "true");
    }
    if (strv_has(obsolete, model))
        g_hash_table_add(labels, g_strdup(LABEL_OBSOLETE_HOST_MODEL "=true"));
    else
        add_label(labels, LABEL_MODEL_MIGRATION, model, "true");
    if (cs_cpu_def_get_vendor(host_model))
        add_label(labels, LABEL_VENDOR, cs_cpu_def_get_vendor(host_model), "true");
    add_label(labels, LABEL_HOST_MODEL, model, "true");

    out = g_new0(char *, g_hash_table_size(labels) + 1);
    g_hash_table_iter_init(&iter, labels);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        out[n++] = key;
        g_hash_table_iter_steal(&iter);
    }
    qsort(out, n, sizeof(char *), label_cmp);
    return out;
}
