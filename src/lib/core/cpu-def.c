/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCpuDef, a CPU definition (model, vendor, features, ...) */
#include <string.h>
#include "cpu-def-private.h"

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const type_names[] = { CS_CPU_TYPES(CS_ENUM_NAME) };
static const char *const mode_names[] = { CS_CPU_MODES(CS_ENUM_NAME) };
static const char *const match_names[] = { CS_CPU_MATCHES(CS_ENUM_NAME) };
static const char *const check_names[] = { CS_CPU_CHECKS(CS_ENUM_NAME) };
static const char *const fallback_names[] = { CS_CPU_FALLBACKS(CS_ENUM_NAME) };
static const char *const policy_names[] = { CS_FEATURE_POLICIES(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

static const char *
enum_name(const char *const *names, guint n, int v)
{
    return v >= 0 && (guint) v < n ? names[v] : NULL;
}

static int
enum_value(const char *const *names, guint n, const char *s)
{
    if (!s)
        return -1;
    for (guint i = 0; i < n; i++) {
        if (strcmp(names[i], s) == 0)
            return i;
    }
    return -1;
}

#define ENUM_FUNCS(prefix, Type, names) \
    const char *prefix##_to_string(Type v) \
    { return enum_name(names, G_N_ELEMENTS(names), v); } \
    int prefix##_from_string(const char *s) \
    { return enum_value(names, G_N_ELEMENTS(names), s); }

ENUM_FUNCS(cs_cpu_type, CsCpuType, type_names)
ENUM_FUNCS(cs_cpu_mode, CsCpuMode, mode_names)
ENUM_FUNCS(cs_cpu_match, CsCpuMatch, match_names)
ENUM_FUNCS(cs_cpu_check, CsCpuCheck, check_names)
ENUM_FUNCS(cs_cpu_fallback, CsCpuFallback, fallback_names)
ENUM_FUNCS(cs_feature_policy, CsFeaturePolicy, policy_names)

static void
feature_clear(gpointer p)
{
    g_free(((CsCpuFeature *) p)->name);
}

CsCpuDef *
cs_cpu_def_new(CsCpuType type)
{
    CsCpuDef *def = g_new0(CsCpuDef, 1);

    def->type = type;
    def->migratable = -1;
    def->features = g_array_new(FALSE, FALSE, sizeof(CsCpuFeature));
    g_array_set_clear_func(def->features, feature_clear);
    return def;
}

CsCpuDef *
cs_cpu_def_copy(const CsCpuDef *def)
{
    CsCpuDef *copy;

    g_return_val_if_fail(def != NULL, NULL);
    copy = cs_cpu_def_new(def->type);
    copy->mode = def->mode;
    copy->match = def->match;
    copy->check = def->check;
    copy->migratable = def->migratable;
    copy->arch = g_strdup(def->arch);
    copy->model = g_strdup(def->model);
    copy->fallback = def->fallback;
    copy->vendor_id = g_strdup(def->vendor_id);
    copy->vendor = g_strdup(def->vendor);
    copy->has_microcode = def->has_microcode;
    copy->microcode = def->microcode;
    copy->sig_family = def->sig_family;
    copy->sig_model = def->sig_model;
    copy->sig_stepping = def->sig_stepping;
    copy->sockets = def->sockets;
    copy->dies = def->dies;
    copy->clusters = def->clusters;
    copy->cores = def->cores;
    copy->threads = def->threads;
    copy->extra_xml = g_strdup(def->extra_xml);
    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(copy, f->name, f->policy);
    }
    return copy;
}

void
cs_cpu_def_free(CsCpuDef *def)
{
    if (!def)
        return;
    g_free(def->arch);
    g_free(def->model);
    g_free(def->vendor_id);
    g_free(def->vendor);
    g_free(def->extra_xml);
    g_array_unref(def->features);
    g_free(def);
}

CsCpuType cs_cpu_def_get_type(const CsCpuDef *def) { return def->type; }
CsCpuMode cs_cpu_def_get_mode(const CsCpuDef *def) { return def->mode; }
CsCpuMatch cs_cpu_def_get_match(const CsCpuDef *def) { return def->match; }
const char *cs_cpu_def_get_arch(const CsCpuDef *def) { return def->arch; }
const char *cs_cpu_def_get_model(const CsCpuDef *def) { return def->model; }
const char *cs_cpu_def_get_vendor(const CsCpuDef *def) { return def->vendor; }
CsCpuFallback cs_cpu_def_get_fallback(const CsCpuDef *def) { return def->fallback; }

gboolean
cs_cpu_def_get_signature(const CsCpuDef *def, guint *out_family, guint *out_model,
                         guint *out_stepping)
{
    if (!def->sig_family)
        return FALSE;
    if (out_family)
        *out_family = def->sig_family;
    if (out_model)
        *out_model = def->sig_model;
    if (out_stepping)
        *out_stepping = def->sig_stepping;
    return TRUE;
}

CsCpuCheck cs_cpu_def_get_check(const CsCpuDef *def) { return def->check; }
const char *cs_cpu_def_get_vendor_id(const CsCpuDef *def) { return def->vendor_id; }

gboolean
cs_cpu_def_get_microcode(const CsCpuDef *def, guint64 *out_version)
{
    if (!def->has_microcode)
        return FALSE;
    if (out_version)
        *out_version = def->microcode;
    return TRUE;
}

gboolean
cs_cpu_def_get_topology(const CsCpuDef *def, guint *out_sockets, guint *out_dies,
                        guint *out_cores, guint *out_threads)
{
    if (!def->sockets || !def->cores || !def->threads)
        return FALSE;
    if (out_sockets)
        *out_sockets = def->sockets;
    if (out_dies)
        *out_dies = def->dies;
    if (out_cores)
        *out_cores = def->cores;
    if (out_threads)
        *out_threads = def->threads;
    return TRUE;
}

guint
cs_cpu_def_get_n_features(const CsCpuDef *def)
{
    return def->features->len;
}

const char *
cs_cpu_def_get_feature(const CsCpuDef *def, guint i, CsFeaturePolicy *out_policy)
{
    const CsCpuFeature *f;

    g_return_val_if_fail(i < def->features->len, NULL);
    f = &g_array_index(def->features, CsCpuFeature, i);
    if (out_policy)
        *out_policy = f->policy;
    return f->name;
}

void cs_cpu_def_set_mode(CsCpuDef *def, CsCpuMode mode) { def->mode = mode; }
void cs_cpu_def_set_match(CsCpuDef *def, CsCpuMatch match) { def->match = match; }
void cs_cpu_def_set_fallback(CsCpuDef *def, CsCpuFallback fb) { def->fallback = fb; }

void
cs_cpu_def_set_arch(CsCpuDef *def, const char *arch)
{
    g_free(def->arch);
    def->arch = g_strdup(arch);
}

void
cs_cpu_def_set_model(CsCpuDef *def, const char *model)
{
    g_free(def->model);
    def->model = g_strdup(model);
}

void
cs_cpu_def_set_vendor(CsCpuDef *def, const char *vendor)
{
    g_free(def->vendor);
    def->vendor = g_strdup(vendor);
}

void
cs_cpu_def_set_microcode(CsCpuDef *def, guint64 version)
{
    def->has_microcode = TRUE;
    def->microcode = version;
}

void
cs_cpu_def_set_signature(CsCpuDef *def, guint family, guint model, guint stepping)
{
    def->sig_family = family;
    def->sig_model = model;
    def->sig_stepping = stepping;
}

void
cs_cpu_def_set_topology(CsCpuDef *def, guint sockets, guint dies, guint cores,
                        guint threads)
{
    def->sockets = sockets;
    def->dies = dies;
    def->cores = cores;
    def->threads = threads;
}

int
cs_cpu_def_find_feature(const CsCpuDef *def, const char *name)
{
    for (guint i = 0; i < def->features->len; i++) {
        if (strcmp(g_array_index(def->features, CsCpuFeature, i).name, name) == 0)
            return i;
    }
    return -1;
}

void
cs_cpu_def_append_feature(CsCpuDef *def, const char *name, CsFeaturePolicy policy)
{
    CsCpuFeature f = { .name = g_strdup(name), .policy = policy,
                       .hash = cs_name_hash(name) };

    g_array_append_val(def->features, f);
}

void
cs_cpu_def_add_feature(CsCpuDef *def, const char *name, CsFeaturePolicy policy)
{
    int i = cs_cpu_def_find_feature(def, name);

    if (i >= 0)
        g_array_index(def->features, CsCpuFeature, i).policy = policy;
    else
        cs_cpu_def_append_feature(def, name, policy);
}

void
cs_cpu_def_remove_feature_at(CsCpuDef *def, guint i)
{
    g_array_remove_index(def->features, i);
}

void
cs_cpu_def_clear_features(CsCpuDef *def)
{
    g_array_set_size(def->features, 0);
}
