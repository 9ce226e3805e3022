/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: baseline of many host CPUs (libvirt's virCPUx86Baseline), kept
 * incremental so that a fleet of any size streams through it, and the fleet
 * planner: psABI levels, the hosts that hold the baseline back, the hosts
 * that cannot join. */
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-baseline.h>
#include "x86-private.h"
#include "guest-private.h"
#include "cpu-stream-private.h"
#include "core/decode-options-private.h"

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const host_status_names[] = { CS_HOST_STATUSES(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_host_status_to_string(CsHostStatus status)
{
    return (guint) status < G_N_ELEMENTS(host_status_names) ?
           host_status_names[status] : NULL;
}

/* ---- psABI levels ------------------------------------------------------- */

/* The x86-64 psABI micro-architecture levels and the (libvirt) features each
 * adds; a level needs all lower ones. */
static const char *const psabi_names[] = {
    "none", "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4",
};
static const char *const psabi_features[4][12] = {
    { "lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2" },
    { "cx16", "lahf_lm", "popcnt", "pni", "sse4.1", "sse4.2", "ssse3" },
    { "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave" },
    { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" },
};

/* Feature indices of each level in a map; -1 when the map lacks one. */
typedef struct {
    int feat[4][12];
} PsabiTable;

static void
psabi_table_init(const CsCpuMap *map, PsabiTable *t)
{
    for (guint l = 0; l < 4; l++) {
        for (guint f = 0; f < 12; f++) {
            t->feat[l][f] = psabi_features[l][f] ?
                            cs_cpu_map_lookup_feature(map, psabi_features[l][f]) : -2;
        }
    }
}

/* 0 = none, 1..4 = v1..v4 */
static guint
psabi_level_of_vec(const CsCpuMap *map, const PsabiTable *t, const CsWord *vec)
{
    for (guint l = 0; l < 4; l++) {
        for (guint f = 0; f < 12 && t->feat[l][f] != -2; f++) {
            if (t->feat[l][f] < 0 ||
                !cs_vec_has_feature(vec, &map->t.features[t->feat[l][f]]))
                return l;
        }
    }
    return 4;
}

const char *
cs_cpu_def_psabi_level(const CsCpuMap *map, const CsCpuDef *def, GError **error)
{
    PsabiTable t;
    g_autofree CsWord *vec = NULL;

    g_return_val_if_fail(map != NULL && def != NULL, NULL);
    if (!(vec = cs_cpu_def_to_vec(map, def, CS_VEC_ALL, error)))
        return NULL;
    psabi_table_init(map, &t);
    return psabi_names[psabi_level_of_vec(map, &t, vec)];
}

/* ---- Expansion ---------------------------------------------------------- */

static int
feature_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const CsCpuFeature *) a)->name, ((const CsCpuFeature *) b)->name);
}

gboolean
cs_cpu_def_expand_features(const CsCpuMap *map, CsCpuDef *def, GError **error)
{
    gboolean host;
    int mi;
    g_autofree CsWord *vec = NULL;
    g_autoptr(CsCpuDef) expanded = NULL;
    const CsMapModel *m;

    g_return_val_if_fail(map != NULL && def != NULL, FALSE);
    host = def->type == CS_CPU_TYPE_HOST;
    if (!def->model || (mi = cs_cpu_map_lookup_model(map, def->model)) < 0) {
        return cs_unknown_model_error(map, def->model ? def->model : "", error);
    }
    m = &map->t.models[mi];
    expanded = cs_cpu_def_new(def->type);
    vec = cs_vec_new(map);
    memcpy(vec, m->vec, sizeof(CsWord) * map->t.n_words);
    cs_x86_vec_to_def(map, vec, expanded,
                      host ? CS_FEATURE_POLICY_NONE : CS_FEATURE_REQUIRE);
    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);

        if (!host && f->policy != CS_FEATURE_REQUIRE && f->policy != CS_FEATURE_DISABLE)
            continue;
        cs_cpu_def_add_feature(expanded, f->name, f->policy);
    }
    if (!host) {
        /* features the model lost are disabled unless the CPU lists them */
        for (guint r = 0; r < m->n_removed; r++) {
            const char *name = map->t.features[m->removed[r]].name;

            if (cs_cpu_def_find_feature(expanded, name) < 0)
                cs_cpu_def_append_feature(expanded, name, CS_FEATURE_DISABLE);
        }
    }
    g_array_sort(expanded->features, feature_name_cmp);
    cs_cpu_def_clear_features(def);
    for (guint i = 0; i < expanded->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(expanded->features, CsCpuFeature, i);

        cs_cpu_def_append_feature(def, f->name, f->policy);
    }
    return TRUE;
}

/* ---- The baseline state ------------------------------------------------- */

/* What libvirt's virCPUx86Baseline keeps while it walks the CPUs. */
typedef struct {
    char *arch;             /* plan: the group's arch */
    int key_vendor;         /* plan: the group's effective vendor, -1 none */
    CsWord *vec;            /* intersection so far */
    int vendor;             /* libvirt's `vendor` (map index), -1 none */
    gboolean output_vendor;
    GPtrArray *names;       /* distinct model names, first seen first */
    GArray *name_counts;    /* guint64 hosts per name */
    guint64 n;
} Acc;

static void
acc_free(Acc *a)
{
    if (!a)
        return;
    g_free(a->arch);
    g_free(a->vec);
    g_ptr_array_unref(a->names);
    g_array_unref(a->name_counts);
    g_free(a);
}

static Acc *
acc_new(const CsCpuMap *map, const char *arch, int key_vendor)
{
    Acc *a = g_new0(Acc, 1);

    a->arch = g_strdup(arch);
    a->key_vendor = key_vendor;
    a->vec = cs_vec_new(map);
    a->vendor = -1;
    a->output_vendor = TRUE;
    a->names = g_ptr_array_new_with_free_func(g_free);
    a->name_counts = g_array_new(FALSE, TRUE, sizeof(guint64));
    return a;
}

static void
acc_add_name(Acc *a, const char *name, guint64 count)
{
    for (guint i = 0; i < a->names->len; i++) {
        if (strcmp(g_ptr_array_index(a->names, i), name) == 0) {
            g_array_index(a->name_counts, guint64, i) += count;
            return;
        }
    }
    g_ptr_array_add(a->names, g_strdup(name));
    g_array_append_val(a->name_counts, count);
}

/* One CPU through libvirt's loop body. @vec is the CPU's data (model +
 * features); @model_vendor the vendor of its model (-1: none). Returns FALSE
 * with @error on libvirt's vendor errors. */
static gboolean
acc_add(const CsCpuMap *map, Acc *a, const CsCpuDef *def, const CsWord *vec,
        int model_vendor, GError **error)
{
    if (a->n == 0) {
        if (!def->vendor) {
            a->output_vendor = FALSE;
        } else if ((a->vendor = cs_cpu_map_lookup_vendor(map, def->vendor)) < 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                        "Unknown CPU vendor %s", def->vendor);
            return FALSE;
        }
        memcpy(a->vec, vec, sizeof(CsWord) * map->t.n_words);
    } else {
        const char *vn = NULL;

        if (def->vendor && model_vendor >= 0 &&
            strcmp(def->vendor, map->t.vendors[model_vendor].name) != 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "CPU vendor %s of model %s differs from vendor %s",
                        map->t.vendors[model_vendor].name, def->model, def->vendor);
            return FALSE;
        }
        if (def->vendor) {
            vn = def->vendor;
        } else {
            a->output_vendor = FALSE;
            if (model_vendor >= 0)
                vn = map->t.vendors[model_vendor].name;
        }
        if (vn) {
            if (a->vendor < 0) {
                if ((a->vendor = cs_cpu_map_lookup_vendor(map, vn)) < 0) {
                    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                                "Unknown CPU vendor %s", vn);
                    return FALSE;
                }
            } else if (strcmp(map->t.vendors[a->vendor].name, vn) != 0) {
                g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                            "CPU vendors do not match");
                return FALSE;
            }
        }
        for (guint w = 0; w < map->t.n_words; w++)
            a->vec[w] &= vec[w];
    }
    acc_add_name(a, def->model, 1);
    a->n++;
    return TRUE;
}

/* Folds @from (hosts with no vendor at all) into @into; the result is what
 * one pass over both groups' hosts gives. */
static void
acc_merge(const CsCpuMap *map, Acc *into, const Acc *from)
{
    for (guint w = 0; w < map->t.n_words; w++)
        into->vec[w] &= from->vec[w];
    if (!from->output_vendor)
        into->output_vendor = FALSE;
    for (guint i = 0; i < from->names->len; i++)
        acc_add_name(into, g_ptr_array_index(from->names, i),
                     g_array_index(from->name_counts, guint64, i));
    into->n += from->n;
}

/* Decodes an intersection as libvirt's baseline does. @names: the distinct
 * model names of the CPUs. */
static CsCpuDef *
decode_intersection(const CsCpuMap *map, const CsWord *vec, int vendor,
                    gboolean output_vendor, const char *const *names,
                    const char *const *allowed, CsBaselineFlags flags, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    CsDecodeOptions opts = CS_DECODE_OPTIONS_INIT(CS_DECODE_GUEST | CS_DECODE_FEATURE_DATA);

    if (cs_vec_is_empty(map, vec)) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE, "CPUs are incompatible");
        return NULL;
    }
    data = cs_cpu_map_vec_to_data(map, vec);
    if (vendor >= 0) {
        const CsMapVendor *v = &map->t.vendors[vendor];
        CsCpuidLeaf l0 = { .eax_in = 0, .ebx = v->ebx, .ecx = v->ecx, .edx = v->edx };

        cs_cpuid_data_add_leaf(data, &l0);
    }
    if (flags & CS_BASELINE_MIGRATABLE)
        opts.flags |= CS_DECODE_MIGRATABLE;
    opts.allowed = allowed;
    opts.preferred = names;
    opts.fallback = CS_CPU_FALLBACK_ALLOW;
    if (!(def = cs_cpu_decode_with(map, data, &opts, error)))
        return NULL;
    def->mode = CS_CPU_MODE_CUSTOM;
    def->match = CS_CPU_MATCH_EXACT;
    def->fallback = CS_CPU_FALLBACK_ALLOW;
    def->sig_family = def->sig_model = def->sig_stepping = 0;
    if (names[0] && !names[1] && strcmp(def->model, names[0]) == 0)
        def->fallback = CS_CPU_FALLBACK_FORBID;
    if (!output_vendor)
        g_clear_pointer(&def->vendor, g_free);
    if ((flags & CS_BASELINE_EXPAND) && !cs_cpu_def_expand_features(map, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

static CsCpuDef *
acc_result(const CsCpuMap *map, const Acc *a, const char *const *allowed,
           CsBaselineFlags flags, GError **error)
{
    g_autofree const char **names = g_new0(const char *, a->names->len + 1);

    for (guint i = 0; i < a->names->len; i++)
        names[i] = g_ptr_array_index(a->names, i);
    return decode_intersection(map, a->vec, a->vendor, a->output_vendor, names, allowed,
                               flags, error);
}

/* ---- The builder -------------------------------------------------------- */

typedef struct {
    const char *name;       /* in the builder's string chunk */
    const char *uuid;       /* its capabilities' <host><uuid>, or NULL */
    const char *reason;     /* NULL, or why it cannot join */
    guint32 cls;            /* HostClass id of a host that joined a group */
    gint16 model;           /* map index, -1 unknown */
    gint8 vendor;           /* effective vendor, -1 none */
    guint8 level;           /* 0..4; 0xff unknown */
    guint8 status;          /* CsHostStatus */
    guint16 group;
} HostRec;

/* Plan mode keeps each distinct CPU data once: hosts hold the id of their
 * class, so that the plan can say which hosts lack what without keeping
 * the hosts (a fleet has few distinct CPUs; at worst a class per host). */
typedef struct {
    guint hash;
    guint n_words;
    CsWord vec[];
} HostClass;

static guint
host_class_hash(gconstpointer p)
{
    return ((const HostClass *) p)->hash;
}

static gboolean
host_class_equal(gconstpointer pa, gconstpointer pb)
{
    const HostClass *a = pa;
    const HostClass *b = pb;

    return a->hash == b->hash && a->n_words == b->n_words &&
           memcmp(a->vec, b->vec, sizeof(CsWord) * a->n_words) == 0;
}

struct _CsBaselineBuilder {
    const CsCpuMap *map;
    CsBaselineFlags flags;
    char **allowed;         /* the hypervisor's models, or NULL for all */
    gboolean plan;
    PsabiTable psabi;
    guint64 n;              /* hosts seen (including bad ones) */
    /* exact mode */
    Acc *acc;
    GError *parse_error;    /* a CPU that could not be read: fails first */
    gint64 no_model;        /* first CPU without a model, -1 none */
    GError *error;          /* libvirt's first error in its CPU loop */
    GPtrArray *generic;     /* copies of the CPUs of arches without CPUID
                             * (the generic driver baselines them by name) */
    /* plan mode */
    GPtrArray *groups;      /* Acc, keyed by (arch, effective vendor) */
    GArray *hosts;          /* HostRec */
    GStringChunk *strings;
    GPtrArray *classes;     /* HostClass, by id */
    GHashTable *class_ids;  /* HostClass -> id + 1 */
    HostClass *probe;       /* lookup key */
};

CsBaselineBuilder *
cs_baseline_builder_new(const CsCpuMap *map, CsBaselineFlags flags,
                        CsBaselineBuildFlags build_flags)
{
    CsBaselineBuilder *b;

    g_return_val_if_fail(map != NULL, NULL);
    b = g_new0(CsBaselineBuilder, 1);
    b->map = map;
    b->flags = flags;
    b->plan = (build_flags & CS_BASELINE_BUILD_PLAN) != 0;
    b->no_model = -1;
    if (b->plan) {
        psabi_table_init(map, &b->psabi);
        b->groups = g_ptr_array_new_with_free_func((GDestroyNotify) acc_free);
        b->hosts = g_array_new(FALSE, TRUE, sizeof(HostRec));
        b->strings = g_string_chunk_new(4096);
        b->classes = g_ptr_array_new_with_free_func(g_free);
        b->class_ids = g_hash_table_new(host_class_hash, host_class_equal);
        b->probe = g_malloc0(sizeof(HostClass) + sizeof(CsWord) * map->t.n_words);
        b->probe->n_words = map->t.n_words;
    } else {
        b->acc = acc_new(map, NULL, -1);
    }
    return b;
}

void
cs_baseline_builder_free(CsBaselineBuilder *b)
{
    if (!b)
        return;
    acc_free(b->acc);
    g_strfreev(b->allowed);
    if (b->generic)
        g_ptr_array_unref(b->generic);
    g_clear_error(&b->parse_error);
    g_clear_error(&b->error);
    if (b->groups)
        g_ptr_array_unref(b->groups);
    if (b->hosts)
        g_array_unref(b->hosts);
    if (b->strings)
        g_string_chunk_free(b->strings);
    if (b->class_ids)
        g_hash_table_unref(b->class_ids);
    if (b->classes)
        g_ptr_array_unref(b->classes);
    g_free(b->probe);
    g_free(b);
}

void
cs_baseline_builder_set_models(CsBaselineBuilder *b, const char *const *allowed)
{
    g_return_if_fail(b != NULL);
    g_strfreev(b->allowed);
    b->allowed = g_strdupv((char **) allowed);
}

guint64
cs_baseline_builder_get_n_hosts(const CsBaselineBuilder *b)
{
    return b->n;
}

static void
add_exact(CsBaselineBuilder *b, const CsCpuDef *host, const CsWord *known)
{
    const CsCpuMap *map = b->map;
    g_autofree CsWord *vec = NULL;
    int mi;

    if (!host->model) {
        if (b->no_model < 0)
            b->no_model = b->n;
        return;
    }
    if (b->error || b->parse_error)
        return;
    if (!known && !(known = vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, &b->error)))
        return;
    mi = cs_cpu_map_lookup_model(map, host->model);
    acc_add(map, b->acc, host, known, map->t.models[mi].vendor, &b->error);
}

/* The id of @vec's class, made when it is new. */
static guint32
intern_class(CsBaselineBuilder *b, const CsWord *vec)
{
    guint n = b->map->t.n_words;
    guint32 h = 2166136261u;
    gpointer id;
    HostClass *c;

    for (guint w = 0; w < n; w++)
        h = (h ^ vec[w]) * 16777619u;
    b->probe->hash = h;
    memcpy(b->probe->vec, vec, sizeof(CsWord) * n);
    if ((id = g_hash_table_lookup(b->class_ids, b->probe)))
        return GPOINTER_TO_UINT(id) - 1;
    c = g_memdup2(b->probe, sizeof(HostClass) + sizeof(CsWord) * n);
    g_ptr_array_add(b->classes, c);
    g_hash_table_insert(b->class_ids, c, GUINT_TO_POINTER(b->classes->len));
    return b->classes->len - 1;
}

static HostRec *
new_host(CsBaselineBuilder *b, const char *name, const char *uuid)
{
    HostRec rec = { .model = -1, .vendor = -1, .level = 0xff, .cls = G_MAXUINT32 };

    if (name) {
        rec.name = g_string_chunk_insert(b->strings, name);
    } else {
        char buf[32];

        g_snprintf(buf, sizeof(buf), "#%" G_GUINT64_FORMAT, b->n + 1);
        rec.name = g_string_chunk_insert(b->strings, buf);
    }
    if (uuid)
        rec.uuid = g_string_chunk_insert_const(b->strings, uuid);
    g_array_append_val(b->hosts, rec);
    return &g_array_index(b->hosts, HostRec, b->hosts->len - 1);
}

static void
host_invalid(CsBaselineBuilder *b, HostRec *rec, const char *reason)
{
    rec->status = CS_HOST_INVALID;
    rec->reason = g_string_chunk_insert_const(b->strings, reason);
}

static void
add_plan(CsBaselineBuilder *b, const CsCpuDef *host, const char *name, const char *uuid,
         const CsWord *known)
{
    const CsCpuMap *map = b->map;
    HostRec *rec = new_host(b, name, uuid);
    g_autofree CsWord *vec = NULL;
    g_autoptr(GError) error = NULL;
    const char *arch = host->arch ? host->arch : "x86_64";
    int mi, mv, ev = -1;
    Acc *group = NULL;

    if (!host->model) {
        host_invalid(b, rec, "no CPU model specified");
        return;
    }
    if (!known && !(known = vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, &error))) {
        host_invalid(b, rec, error->message);
        return;
    }
    mi = cs_cpu_map_lookup_model(map, host->model);
    mv = map->t.models[mi].vendor;
    rec->model = mi;
    if (host->vendor) {
        if ((ev = cs_cpu_map_lookup_vendor(map, host->vendor)) < 0) {
            g_autofree char *msg = g_strdup_printf("unknown CPU vendor '%s'",
                                                   host->vendor);

            host_invalid(b, rec, msg);
            return;
        }
        if (mv >= 0 && mv != ev && b->n > 0) {
            g_autofree char *msg = g_strdup_printf("CPU vendor %s of model %s differs "
                                                   "from vendor %s",
                                                   map->t.vendors[mv].name,
                                                   host->model, host->vendor);

            host_invalid(b, rec, msg);
            return;
        }
    } else {
        ev = mv;
    }
    rec->vendor = ev;
    rec->level = psabi_level_of_vec(map, &b->psabi, known);
    for (guint g = 0; g < b->groups->len; g++) {
        Acc *a = g_ptr_array_index(b->groups, g);

        if (a->key_vendor == ev && strcmp(a->arch, arch) == 0) {
            group = a;
            rec->group = g;
            break;
        }
    }
    if (!group) {
        if (b->groups->len >= G_MAXUINT16) {
            host_invalid(b, rec, "too many distinct arch and vendor combinations");
            return;
        }
        group = acc_new(map, arch, ev);
        rec->group = b->groups->len;
        g_ptr_array_add(b->groups, group);
    }
    if (!acc_add(map, group, host, known, mv, &error)) {
        host_invalid(b, rec, error->message);
    } else {
        rec->status = CS_HOST_JOINED;
        rec->cls = intern_class(b, known);
    }
}

static void
builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name,
            const char *uuid, const CsWord *known)
{
    if (!b->plan && cs_arch_kind(host->arch) == CS_ARCH_GENERIC) {
        if (!b->generic)
            b->generic = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);
        g_ptr_array_add(b->generic, cs_cpu_def_copy(host));
    } else if (b->plan) {
        add_plan(b, host, name, uuid, known);
    } else {
        add_exact(b, host, known);
    }
    b->n++;
}

void
cs_baseline_builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name)
{
    g_return_if_fail(b != NULL && host != NULL);
    builder_add(b, host, name, NULL, NULL);
}

/* The vector of a CPU the stream will keep (NULL when it has no valid one). */
static const CsWord *
cached_vec(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host)
{
    CsWord *vec;

    if (g_hash_table_lookup_extended(vecs, host, NULL, (gpointer *) &vec))
        return vec;
    vec = host->model ? cs_cpu_def_to_vec(b->map, host, CS_VEC_ALL, NULL) : NULL;
    g_hash_table_insert(vecs, (gpointer) host, vec);
    return vec;
}

/* Names the @k-th host of a stream: the stream's name when it is @alone,
 * else its <host><uuid> when the document has one, else "name#k". */
static void
add_stream_host(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host,
                gboolean stable, const char *name, const char *uuid, guint64 k,
                gboolean alone)
{
    g_autofree char *label = NULL;
    const CsWord *vec = stable ? cached_vec(b, vecs, host) : NULL;

    if (b->plan && alone)
        label = g_strdup(name);
    else if (b->plan)
        label = uuid ? g_strdup(uuid) : g_strdup_printf("%s#%" G_GUINT64_FORMAT, name, k);
    builder_add(b, host, label, uuid, vec);
}

gboolean
cs_baseline_builder_add_stream(CsBaselineBuilder *b, CsCpuStream *stream, const char *name,
                               CsProgressFunc progress, gpointer user_data, GError **error)
{
    g_autoptr(GHashTable) vecs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    g_autoptr(CsCpuDef) first = NULL;   /* named once we know if it is alone */
    g_autofree char *first_uuid = NULL;
    gboolean first_stable = FALSE;
    const CsCpuDef *first_ref = NULL;
    guint64 k = 0;

    g_return_val_if_fail(b != NULL && stream != NULL, FALSE);
    if (!name)
        name = "(input)";
    for (;;) {
        const CsCpuDef *host = NULL;
        gboolean stable = FALSE;
        GError *local = NULL;

        if (!cs_cpu_stream_next_borrowed(stream, &host, &stable, &local)) {
            if (!b->plan) {
                g_propagate_error(error, local);
                return FALSE;
            }
            if (first_ref) {
                add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1,
                                FALSE);
                first_ref = NULL;
            }
            k++;
            {
                g_autofree char *label = g_strdup_printf("%s#%" G_GUINT64_FORMAT, name, k);

                cs_baseline_builder_add_error(b, label, local);
            }
            continue;
        }
        if (!host)
            break;
        k++;
        if (k == 1) {
            /* keep it until the next one says whether it is alone */
            first_stable = stable;
            if (!stable)
                host = first = cs_cpu_def_copy(host);
            first_ref = host;
            first_uuid = g_strdup(cs_cpu_stream_get_host_uuid(stream));
        } else {
            if (first_ref) {
                add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1,
                                FALSE);
                first_ref = NULL;
            }
            add_stream_host(b, vecs, host, stable, name,
                            cs_cpu_stream_get_host_uuid(stream), k, FALSE);
        }
        if (progress && (k & 255) == 0)
            progress(b->n, stream, user_data);
    }
    if (first_ref)
        add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1, TRUE);
    return TRUE;
}

void
cs_baseline_builder_add_error(CsBaselineBuilder *b, const char *name, GError *error)
{
    g_return_if_fail(b != NULL && error != NULL);
    if (b->plan) {
        host_invalid(b, new_host(b, name, NULL), error->message);
        g_error_free(error);
    } else if (!b->parse_error) {
        b->parse_error = error;
    } else {
        g_error_free(error);
    }
    b->n++;
}

/* Exact mode with CPUs of an arch without CPUID: all CPUs must be of that
 * arch; the generic driver intersects their feature names. */
static CsCpuDef *
generic_finish(CsBaselineBuilder *b, GError **error)
{
    const CsCpuDef *first = g_ptr_array_index(b->generic, 0);

    for (guint i = 0; i < b->generic->len; i++) {
        const CsCpuDef *cpu = g_ptr_array_index(b->generic, i);

        if (strcmp(cpu->arch, first->arch) != 0 || b->generic->len != b->n) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "the CPUs are incompatible: their architectures differ");
            return NULL;
        }
    }
    return cs_generic_baseline((const CsCpuDef *const *) b->generic->pdata,
                               b->generic->len, error);
}

CsCpuDef *
cs_baseline_builder_finish(CsBaselineBuilder *b, GError **error)
{
    g_return_val_if_fail(b != NULL, NULL);
    if (b->plan) {
        g_autoptr(CsFleetPlan) plan = cs_baseline_builder_plan(b, error);

        return plan ? cs_cpu_def_copy(cs_fleet_plan_get_baseline(plan)) : NULL;
    }
    if (b->parse_error) {
        g_propagate_error(error, g_error_copy(b->parse_error));
        return NULL;
    }
    if (b->n == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID, "no CPUs given");
        return NULL;
    }
    if (b->generic)
        return generic_finish(b, error);
    if (b->no_model >= 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                    "no CPU model specified at index %" G_GINT64_FORMAT, b->no_model);
        return NULL;
    }
    if (b->error) {
        g_propagate_error(error, g_error_copy(b->error));
        return NULL;
    }
    return acc_result(b->map, b->acc, (const char *const *) b->allowed, b->flags, error);
}

CsCpuDef *
cs_cpu_baseline(const CsCpuMap *map, const CsCpuDef *const *hosts, gsize n_hosts,
                CsBaselineFlags flags, GError **error)
{
    g_autoptr(CsBaselineBuilder) b = NULL;

    g_return_val_if_fail(map != NULL && (hosts != NULL || n_hosts == 0), NULL);
    b = cs_baseline_builder_new(map, flags, CS_BASELINE_BUILD_EXACT);
    for (gsize i = 0; i < n_hosts; i++) {
        if (!hosts[i]) {
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "invalid CPU definition at index %" G_GSIZE_FORMAT, i);
            return NULL;
        }
        cs_baseline_builder_add(b, hosts[i], NULL);
    }
    return cs_baseline_builder_finish(b, error);
}

/* ---- The plan ----------------------------------------------------------- */

/* A set of joined hosts that alone lack some features every other joined
 * host has: one host, or a group of them. All hosts of a class lack the
 * same features, so the set is the hosts whose class lacks @feature. */
/* How many hosts of a set have a model. */
typedef struct {
    guint16 model;
    guint64 n;
} ModelCount;

typedef struct {
    int feature;            /* a map feature these hosts, and no other, lack */
    guint64 n_hosts;
    guint64 first_host;
    GArray *models;         /* ModelCount, most hosts first */
    char **lacks;           /* the features these hosts, and no other, lack */
    char **gains;           /* what the baseline gains without them */
    CsCpuDef *baseline;     /* the baseline without them; NULL if not computed */
    const char *level;
} Dragger;

/* A feature the baseline disables, and how many joined hosts lack it. */
typedef struct {
    char *name;
    int feature;            /* map index, -1 when the map has no bits for it */
    guint64 n_hosts;
    GArray *models;         /* ModelCount, most hosts first */
} Disabled;

struct _CsFleetPlan {
    CsCpuDef *baseline;
    const char *level;
    char *arch;
    char *vendor;
    guint64 n_hosts;
    HostRec *hosts;         /* owned copy of the builder's records */
    GStringChunk *strings;  /* taken from the builder */
    GPtrArray *classes;     /* HostClass, taken from the builder */
    const CsCpuMap *map;
    GArray *draggers;       /* Dragger */
    GArray *disabled;       /* Disabled */
    guint64 level_count[5];
};

/* Decoding the baseline without each dragger is bounded. */
#define MAX_DRAGGER_DECODES 2000

static void
dragger_clear(gpointer p)
{
    Dragger *d = p;

    g_array_unref(d->models);
    g_strfreev(d->lacks);
    g_strfreev(d->gains);
    if (d->baseline)
        cs_cpu_def_free(d->baseline);
}

static void
disabled_clear(gpointer p)
{
    Disabled *d = p;

    g_free(d->name);
    g_array_unref(d->models);
}

void
cs_fleet_plan_free(CsFleetPlan *plan)
{
    if (!plan)
        return;
    if (plan->baseline)
        cs_cpu_def_free(plan->baseline);
    g_free(plan->arch);
    g_free(plan->vendor);
    g_free(plan->hosts);
    if (plan->strings)
        g_string_chunk_free(plan->strings);
    if (plan->classes)
        g_ptr_array_unref(plan->classes);
    if (plan->draggers)
        g_array_unref(plan->draggers);
    if (plan->disabled)
        g_array_unref(plan->disabled);
    g_free(plan);
}

/* Whether host @rec joined and its CPU lacks map feature @f. */
static inline gboolean
rec_lacks(const CsCpuMap *map, const GPtrArray *classes, const HostRec *rec, int f)
{
    const HostClass *c;

    if (rec->status != CS_HOST_JOINED || rec->cls == G_MAXUINT32 || f < 0)
        return FALSE;
    c = g_ptr_array_index(classes, rec->cls);
    return !cs_vec_has_feature(c->vec, &map->t.features[f]);
}

/* The classes of the hosts that joined: how many hosts each has, and how
 * many of them name each model. */
typedef struct {
    guint32 cls;
    guint64 n;
    guint64 first;          /* its first host */
    guint pair;             /* its entries in Stats.pairs: [pair, pair + n_pairs) */
    guint n_pairs;
} ActiveClass;

typedef struct {
    guint32 pos;            /* in Stats.act */
    guint16 model;
    guint64 n;
} ClassModel;

typedef struct {
    GArray *act;            /* ActiveClass, by class id */
    GArray *pairs;          /* ClassModel, by pos */
    guint64 *model_total;   /* joined hosts per map model */
    guint64 joined;
} Stats;

static void
stats_clear(Stats *st)
{
    g_array_unref(st->act);
    g_array_unref(st->pairs);
    g_free(st->model_total);
}

static int
class_model_cmp(gconstpointer pa, gconstpointer pb)
{
    const ClassModel *a = pa;
    const ClassModel *b = pb;

    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    return (int) a->model - (int) b->model;
}

static void
stats_init(CsBaselineBuilder *b, Stats *st)
{
    const CsCpuMap *map = b->map;
    g_autofree guint32 *pos = g_new(guint32, b->classes->len + 1);
    g_autoptr(GHashTable) pair_of = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                          g_free, NULL);

    st->act = g_array_new(FALSE, TRUE, sizeof(ActiveClass));
    st->pairs = g_array_new(FALSE, TRUE, sizeof(ClassModel));
    st->model_total = g_new0(guint64, map->t.n_models);
    st->joined = 0;
    for (guint c = 0; c < b->classes->len; c++)
        pos[c] = G_MAXUINT32;
    for (guint h = 0; h < b->hosts->len; h++) {
        const HostRec *rec = &g_array_index(b->hosts, HostRec, h);
        gint64 key;
        gpointer at;

        if (rec->status != CS_HOST_JOINED || rec->cls == G_MAXUINT32)
            continue;
        if (pos[rec->cls] == G_MAXUINT32) {
            ActiveClass ac = { .cls = rec->cls, .first = h };

            pos[rec->cls] = st->act->len;
            g_array_append_val(st->act, ac);
        }
        g_array_index(st->act, ActiveClass, pos[rec->cls]).n++;
        st->model_total[rec->model]++;
        st->joined++;
        key = (gint64) pos[rec->cls] << 16 | (guint16) rec->model;
        if ((at = g_hash_table_lookup(pair_of, &key))) {
            g_array_index(st->pairs, ClassModel, GPOINTER_TO_UINT(at) - 1).n++;
        } else {
            ClassModel cm = { .pos = pos[rec->cls], .model = rec->model, .n = 1 };

            g_array_append_val(st->pairs, cm);
            g_hash_table_insert(pair_of, g_memdup2(&key, sizeof(key)),
                                GUINT_TO_POINTER(st->pairs->len));
        }
    }
    g_array_sort(st->pairs, class_model_cmp);
    for (guint k = 0; k < st->pairs->len; k++) {
        const ClassModel *cm = &g_array_index(st->pairs, ClassModel, k);
        ActiveClass *ac = &g_array_index(st->act, ActiveClass, cm->pos);

        if (ac->n_pairs++ == 0)
            ac->pair = k;
    }
}

static inline gboolean
class_lacks(const CsCpuMap *map, const CsBaselineBuilder *b, const ActiveClass *ac, int f)
{
    const HostClass *c = g_ptr_array_index(b->classes, ac->cls);

    return !cs_vec_has_feature(c->vec, &map->t.features[f]);
}

/* The hosts lacking one or more features, grouped by which hosts they are. */
typedef struct {
    int feature;            /* the first of them */
    guint64 n_hosts;
    guint64 first_host;
    GArray *features;       /* int */
    int next;               /* the next set whose hash is the same, -1 none */
} LackSet;

static void
lack_set_clear(gpointer p)
{
    g_array_unref(((LackSet *) p)->features);
}

static int
lack_set_cmp(gconstpointer pa, gconstpointer pb)
{
    const LackSet *a = pa;
    const LackSet *b = pb;

    if (a->n_hosts != b->n_hosts)
        return a->n_hosts < b->n_hosts ? -1 : 1;
    if (a->features->len != b->features->len)
        return a->features->len > b->features->len ? -1 : 1;
    return a->first_host < b->first_host ? -1 : (a->first_host > b->first_host);
}

/* Every feature the joined hosts do not all have, grouped by the set of
 * hosts lacking it. */
static GArray *
find_lack_sets(CsBaselineBuilder *b, const Acc *a, const Stats *st)
{
    const CsCpuMap *map = b->map;
    GArray *sets = g_array_new(FALSE, TRUE, sizeof(LackSet));
    g_autoptr(GHashTable) by_hash = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                          g_free, NULL);

    g_array_set_clear_func(sets, lack_set_clear);
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *feat = &map->t.features[f];
        guint64 n = 0, first = G_MAXUINT64, hash = 0xcbf29ce484222325ull;
        gpointer at;
        int found = -1;

        if (!feat->n_parts || cs_vec_has_feature(a->vec, feat))
            continue;
        for (guint p = 0; p < st->act->len; p++) {
            const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);

            if (!class_lacks(map, b, ac, f))
                continue;
            n += ac->n;
            first = MIN(first, ac->first);
            hash = (hash ^ (p + 1)) * 0x100000001b3ull;
        }
        if (n == 0 || n == st->joined)
            continue;       /* every host lacks it: nobody holds it back */
        hash ^= n;
        /* the sets of this hash are chained: compare their hosts class by class */
        at = g_hash_table_lookup(by_hash, &hash);
        for (int k = at ? (int) GPOINTER_TO_UINT(at) - 1 : -1; k >= 0 && found < 0;
             k = g_array_index(sets, LackSet, k).next) {
            const LackSet *ls = &g_array_index(sets, LackSet, k);
            gboolean same = ls->n_hosts == n;

            for (guint p = 0; same && p < st->act->len; p++) {
                const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);

                same = class_lacks(map, b, ac, f) == class_lacks(map, b, ac, ls->feature);
            }
            if (same)
                found = k;
        }
        if (found < 0) {
            LackSet ls = { .feature = f, .n_hosts = n, .first_host = first,
                           .features = g_array_new(FALSE, FALSE, sizeof(int)),
                           .next = at ? (int) GPOINTER_TO_UINT(at) - 1 : -1 };
            gint64 key = (gint64) hash;

            g_array_append_val(sets, ls);
            found = sets->len - 1;
            g_hash_table_replace(by_hash, g_memdup2(&key, sizeof(key)),
                                 GUINT_TO_POINTER(sets->len));
        }
        g_array_append_val(g_array_index(sets, LackSet, found).features, f);
    }
    g_array_sort(sets, lack_set_cmp);
    return sets;
}

static char **
feature_names(const CsCpuMap *map, const GArray *features)
{
    char **out = g_new0(char *, features->len + 1);

    for (guint i = 0; i < features->len; i++)
        out[i] = g_strdup(map->t.features[g_array_index(features, int, i)].name);
    return out;
}

/* Map features @more has and @less does not. */
static char **
vec_gains(const CsCpuMap *map, const CsWord *more, const CsWord *less)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();

    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *feat = &map->t.features[f];

        if (feat->n_parts && cs_vec_has_feature(more, feat) &&
            !cs_vec_has_feature(less, feat))
            g_ptr_array_add(out, g_strdup(feat->name));
    }
    g_ptr_array_add(out, NULL);
    return (char **) g_ptr_array_free(g_steal_pointer(&out), FALSE);
}

static int
model_count_cmp(gconstpointer pa, gconstpointer pb, gpointer user_data)
{
    const ModelCount *a = pa;
    const ModelCount *b = pb;
    const CsCpuMap *map = user_data;

    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(map->t.models[a->model].name, map->t.models[b->model].name);
}

/* The models of the joined hosts lacking map feature @f, most hosts first.
 * @scratch: n_models zeros, left zeroed. */
static GArray *
set_models(CsBaselineBuilder *b, const Stats *st, int f, guint64 *scratch)
{
    const CsCpuMap *map = b->map;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(ModelCount));

    for (guint p = 0; f >= 0 && p < st->act->len; p++) {
        const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);

        if (!class_lacks(map, b, ac, f))
            continue;
        for (guint q = ac->pair; q < ac->pair + ac->n_pairs; q++) {
            const ClassModel *cm = &g_array_index(st->pairs, ClassModel, q);

            if (scratch[cm->model] == 0) {
                ModelCount mc = { cm->model, 0 };

                g_array_append_val(out, mc);
            }
            scratch[cm->model] += cm->n;
        }
    }
    for (guint k = 0; k < out->len; k++) {
        ModelCount *mc = &g_array_index(out, ModelCount, k);

        mc->n = scratch[mc->model];
        scratch[mc->model] = 0;
    }
    g_array_sort_with_data(out, model_count_cmp, (gpointer) map);
    return out;
}

/* The baseline of the joined hosts outside set @ls. */
static void
dragger_compute(CsBaselineBuilder *b, const Acc *a, const Stats *st, const LackSet *ls,
                const CsWord *base_vec, guint64 *in_set, Dragger *d)
{
    /* @in_set: per map model, how many of these hosts have it (d->models) */
    const CsCpuMap *map = b->map;
    g_autofree CsWord *without = NULL;
    g_autofree const char **names = g_new0(const char *, a->names->len + 1);
    g_autofree CsWord *dv = NULL;
    g_autoptr(GError) error = NULL;
    guint k = 0;

    for (guint m = 0; m < d->models->len; m++) {
        const ModelCount *mc = &g_array_index(d->models, ModelCount, m);

        in_set[mc->model] = mc->n;
    }
    for (guint p = 0; p < st->act->len; p++) {
        const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);
        const HostClass *c = g_ptr_array_index(b->classes, ac->cls);

        if (class_lacks(map, b, ac, ls->feature)) {
            continue;
        } else if (!without) {
            without = g_memdup2(c->vec, sizeof(CsWord) * map->t.n_words);
        } else {
            for (guint w = 0; w < map->t.n_words; w++)
                without[w] &= c->vec[w];
        }
    }
    /* a model no longer any remaining host's is no longer preferred */
    for (guint n = 0; n < a->names->len; n++) {
        const char *name = g_ptr_array_index(a->names, n);
        int mi = cs_cpu_map_lookup_model(map, name);

        if (mi < 0 || in_set[mi] < st->model_total[mi])
            names[k++] = name;
    }
    for (guint m = 0; m < d->models->len; m++)
        in_set[g_array_index(d->models, ModelCount, m).model] = 0;
    d->baseline = decode_intersection(map, without, a->vendor, a->output_vendor, names,
                                      (const char *const *) b->allowed, b->flags, &error);
    if (d->baseline &&
        (dv = cs_cpu_def_to_vec(map, d->baseline, CS_VEC_ALL, NULL)) != NULL) {
        d->level = psabi_names[psabi_level_of_vec(map, &b->psabi, dv)];
        d->gains = vec_gains(map, dv, base_vec);
    } else {
        d->gains = vec_gains(map, without, a->vec);
    }
}

/* The sets of hosts that hold the baseline back: a single host, or a group
 * of at most half of the hosts that join, lacking what all others have;
 * smallest first. */
static GArray *
find_draggers(CsBaselineBuilder *b, const Acc *a, const Stats *st, const CsWord *base_vec)
{
    const CsCpuMap *map = b->map;
    GArray *out = g_array_new(FALSE, TRUE, sizeof(Dragger));
    g_autoptr(GArray) sets = NULL;
    g_autofree guint64 *in_set = NULL;
    guint decoded = 0;

    g_array_set_clear_func(out, dragger_clear);
    if (st->joined < 2)
        return out;
    sets = find_lack_sets(b, a, st);
    in_set = g_new0(guint64, map->t.n_models);
    for (guint i = 0; i < sets->len; i++) {
        const LackSet *ls = &g_array_index(sets, LackSet, i);
        Dragger d = { .feature = ls->feature, .n_hosts = ls->n_hosts,
                      .first_host = ls->first_host };

        if (ls->n_hosts > 1 && ls->n_hosts * 2 > st->joined)
            continue;
        d.lacks = feature_names(map, ls->features);
        d.models = set_models(b, st, ls->feature, in_set);
        if (decoded++ < MAX_DRAGGER_DECODES)
            dragger_compute(b, a, st, ls, base_vec, in_set, &d);
        else
            d.gains = g_strdupv(d.lacks);
        g_array_append_val(out, d);
    }
    return out;
}

/* Every feature the baseline disables, with how many hosts lack it. */
static GArray *
find_disabled(CsBaselineBuilder *b, const CsCpuDef *base, const Stats *st)
{
    const CsCpuMap *map = b->map;
    GArray *out = g_array_new(FALSE, TRUE, sizeof(Disabled));
    g_autofree guint64 *scratch = g_new0(guint64, map->t.n_models);

    g_array_set_clear_func(out, disabled_clear);
    for (guint i = 0; i < base->features->len; i++) {
        const CsCpuFeature *cf = &g_array_index(base->features, CsCpuFeature, i);
        Disabled dis = { .feature = -1 };

        if (cf->policy != CS_FEATURE_DISABLE)
            continue;
        dis.name = g_strdup(cf->name);
        dis.feature = cs_cpu_map_lookup_feature(map, cf->name);
        if (dis.feature >= 0 && !map->t.features[dis.feature].n_parts)
            dis.feature = -1;
        for (guint p = 0; dis.feature >= 0 && p < st->act->len; p++) {
            const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);

            if (class_lacks(map, b, ac, dis.feature))
                dis.n_hosts += ac->n;
        }
        dis.models = set_models(b, st, dis.feature, scratch);
        g_array_append_val(out, dis);
    }
    return out;
}

CsFleetPlan *
cs_baseline_builder_plan(CsBaselineBuilder *b, GError **error)
{
    const CsCpuMap *map;
    g_autoptr(CsFleetPlan) plan = NULL;
    Acc *chosen = NULL;
    guint chosen_idx = 0;
    g_autofree CsWord *bv = NULL;

    g_return_val_if_fail(b != NULL && b->plan, NULL);
    map = b->map;
    /* the biggest group of hosts naming a vendor; hosts naming none join it */
    for (guint g = 0; g < b->groups->len; g++) {
        Acc *a = g_ptr_array_index(b->groups, g);
        gboolean better;

        if (!chosen)
            better = TRUE;
        else if ((a->key_vendor >= 0) != (chosen->key_vendor >= 0))
            better = a->key_vendor >= 0;
        else
            better = a->n > chosen->n;
        if (better) {
            chosen = a;
            chosen_idx = g;
        }
    }
    if (!chosen) {
        const HostRec *first = NULL;

        /* say why, with the first host that was refused */
        for (guint i = 0; b->hosts && i < b->hosts->len && !first; i++) {
            const HostRec *r = &g_array_index(b->hosts, HostRec, i);

            if (r->reason)
                first = r;
        }
        if (first)
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "no host CPU can join the baseline (%s: %s)", first->name,
                        first->reason);
        else
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        b->n ? "no host CPU can join the baseline" : "no CPUs given");
        return NULL;
    }
    for (guint g = 0; g < b->groups->len; g++) {
        Acc *a = g_ptr_array_index(b->groups, g);

        if (g != chosen_idx && a->key_vendor < 0 && strcmp(a->arch, chosen->arch) == 0 &&
            a->n > 0) {
            acc_merge(map, chosen, a);
            a->n = 0;
            for (guint h = 0; h < b->hosts->len; h++) {
                HostRec *rec = &g_array_index(b->hosts, HostRec, h);

                if (rec->status == CS_HOST_JOINED && rec->group == g)
                    rec->group = chosen_idx;
            }
        }
    }

    plan = g_new0(CsFleetPlan, 1);
    plan->map = map;
    if (!(plan->baseline = acc_result(map, chosen, (const char *const *) b->allowed,
                                      b->flags, error)))
        return NULL;
    if ((bv = cs_cpu_def_to_vec(map, plan->baseline, CS_VEC_ALL, error)) == NULL)
        return NULL;
    plan->level = psabi_names[psabi_level_of_vec(map, &b->psabi, bv)];
    plan->arch = g_strdup(chosen->arch);
    plan->vendor = chosen->vendor >= 0 ? g_strdup(map->t.vendors[chosen->vendor].name)
                                       : NULL;
    for (guint h = 0; h < b->hosts->len; h++) {
        HostRec *rec = &g_array_index(b->hosts, HostRec, h);
        const Acc *a;
        g_autofree char *msg = NULL;

        if (rec->status != CS_HOST_JOINED)
            continue;
        if (rec->group == chosen_idx) {
            plan->level_count[MIN(rec->level, 4)]++;
            continue;
        }
        a = g_ptr_array_index(b->groups, rec->group);
        if (strcmp(a->arch, chosen->arch) != 0) {
            rec->status = CS_HOST_OTHER_ARCH;
            msg = g_strdup_printf("its arch is %s, the other hosts' is %s", a->arch,
                                  chosen->arch);
        } else {
            rec->status = CS_HOST_OTHER_VENDOR;
            msg = g_strdup_printf("its vendor is %s, the other hosts' is %s",
                                  a->key_vendor >= 0 ?
                                  map->t.vendors[a->key_vendor].name : "unknown",
                                  plan->vendor ? plan->vendor : "unknown");
        }
        rec->reason = g_string_chunk_insert_const(b->strings, msg);
    }
    {
        Stats st = { 0 };

        stats_init(b, &st);
        plan->draggers = find_draggers(b, chosen, &st, bv);
        plan->disabled = find_disabled(b, plan->baseline, &st);
        stats_clear(&st);
    }
    plan->n_hosts = b->hosts->len;
    plan->hosts = g_memdup2(b->hosts->data, sizeof(HostRec) * b->hosts->len);
    /* the strings move to the plan; the builder starts a fresh chunk */
    plan->strings = b->strings;
    b->strings = g_string_chunk_new(4096);
    plan->classes = b->classes;
    b->classes = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_remove_all(b->class_ids);
    g_array_set_size(b->hosts, 0);
    return g_steal_pointer(&plan);
}

const CsCpuDef *cs_fleet_plan_get_baseline(const CsFleetPlan *p) { return p->baseline; }
const char *cs_fleet_plan_get_level(const CsFleetPlan *p) { return p->level; }
const char *cs_fleet_plan_get_arch(const CsFleetPlan *p) { return p->arch; }
const char *cs_fleet_plan_get_vendor(const CsFleetPlan *p) { return p->vendor; }
guint64 cs_fleet_plan_get_n_hosts(const CsFleetPlan *p) { return p->n_hosts; }

#define HOST(p, i) (&(p)->hosts[(i)])

const char *
cs_fleet_plan_host_name(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->name;
}

CsHostStatus
cs_fleet_plan_host_status(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, CS_HOST_INVALID);
    return HOST(p, i)->status;
}

const char *
cs_fleet_plan_host_uuid(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->uuid;
}

const char *
cs_fleet_plan_host_reason(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->reason;
}

const char *
cs_fleet_plan_host_model(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->model >= 0 ? p->map->t.models[HOST(p, i)->model].name : NULL;
}

const char *
cs_fleet_plan_host_vendor(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->vendor >= 0 ? p->map->t.vendors[HOST(p, i)->vendor].name : NULL;
}

const char *
cs_fleet_plan_host_level(const CsFleetPlan *p, guint64 i)
{
    g_return_val_if_fail(i < p->n_hosts, NULL);
    return HOST(p, i)->level <= 4 ? psabi_names[HOST(p, i)->level] : NULL;
}

guint
cs_fleet_plan_get_n_draggers(const CsFleetPlan *p)
{
    return p->draggers->len;
}

#define DRAGGER(p, d) (&g_array_index((p)->draggers, Dragger, (d)))

guint64
cs_fleet_plan_dragger_host(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->first_host;
}

guint64
cs_fleet_plan_dragger_n_hosts(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->n_hosts;
}

static guint64
next_lacking(const CsFleetPlan *p, int feature, guint64 from)
{
    for (guint64 h = from; h < p->n_hosts; h++) {
        if (rec_lacks(p->map, p->classes, HOST(p, h), feature))
            return h;
    }
    return p->n_hosts;
}

guint64
cs_fleet_plan_dragger_next_host(const CsFleetPlan *p, guint d, guint64 from)
{
    g_return_val_if_fail(d < p->draggers->len, p->n_hosts);
    return next_lacking(p, DRAGGER(p, d)->feature, MAX(from, DRAGGER(p, d)->first_host));
}

static const char *
model_at(const CsFleetPlan *p, const GArray *models, guint k, guint64 *out_n_hosts)
{
    const ModelCount *mc;

    g_return_val_if_fail(k < models->len, NULL);
    mc = &g_array_index(models, ModelCount, k);
    if (out_n_hosts)
        *out_n_hosts = mc->n;
    return p->map->t.models[mc->model].name;
}

guint
cs_fleet_plan_dragger_n_models(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, 0);
    return DRAGGER(p, d)->models->len;
}

const char *
cs_fleet_plan_dragger_model(const CsFleetPlan *p, guint d, guint k, guint64 *out_n_hosts)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return model_at(p, DRAGGER(p, d)->models, k, out_n_hosts);
}

const char *const *
cs_fleet_plan_dragger_lacks(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return (const char *const *) DRAGGER(p, d)->lacks;
}

const char *const *
cs_fleet_plan_dragger_gains(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return (const char *const *) DRAGGER(p, d)->gains;
}

const CsCpuDef *
cs_fleet_plan_dragger_baseline(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return DRAGGER(p, d)->baseline;
}

const char *
cs_fleet_plan_dragger_level(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return DRAGGER(p, d)->level;
}

guint
cs_fleet_plan_get_n_disabled(const CsFleetPlan *p)
{
    return p->disabled->len;
}

#define DISABLED(p, i) (&g_array_index((p)->disabled, Disabled, (i)))

const char *
cs_fleet_plan_disabled_feature(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, NULL);
    return DISABLED(p, i)->name;
}

guint64
cs_fleet_plan_disabled_n_hosts(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, 0);
    return DISABLED(p, i)->n_hosts;
}

guint
cs_fleet_plan_disabled_n_models(const CsFleetPlan *p, guint i)
{
    g_return_val_if_fail(i < p->disabled->len, 0);
    return DISABLED(p, i)->models->len;
}

const char *
cs_fleet_plan_disabled_model(const CsFleetPlan *p, guint i, guint k, guint64 *out_n_hosts)
{
    g_return_val_if_fail(i < p->disabled->len, NULL);
    return model_at(p, DISABLED(p, i)->models, k, out_n_hosts);
}

guint64
cs_fleet_plan_disabled_next_host(const CsFleetPlan *p, guint i, guint64 from)
{
    g_return_val_if_fail(i < p->disabled->len, p->n_hosts);
    return next_lacking(p, DISABLED(p, i)->feature, from);
}

guint64
cs_fleet_plan_get_level_count(const CsFleetPlan *p, guint level)
{
    g_return_val_if_fail(level <= 4, 0);
    return p->level_count[level];
}
