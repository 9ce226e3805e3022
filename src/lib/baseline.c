/* libcpusel: baseline of many host CPUs (libvirt's virCPUx86Baseline), kept
 * incremental so that a fleet of any size streams through it, and the fleet
 * planner: psABI levels, the hosts that hold the baseline back, the hosts
 * that cannot join. */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "error-private.h"
#include <libcpusel/cs-baseline.h>
#include "x86-private.h"
#include "guest-private.h"
#include "cpu-stream-private.h"

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
    if (!(vec = cs_x86_def_to_vec(map, def, CS_X86_ALL, error)))
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
        g_autofree char *shown = cs_shown(def->model ? def->model : "");

        g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_MODEL, "unknown CPU model '%s'",
                    shown);
        return FALSE;
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

/* What libvirt's virCPUx86Baseline keeps while it walks the CPUs, plus the
 * planner's per-bit statistics. */
typedef struct {
    char *arch;             /* plan: the group's arch */
    int key_vendor;         /* plan: the group's effective vendor, -1 none */
    CsWord *vec;            /* intersection so far */
    int vendor;             /* libvirt's `vendor` (map index), -1 none */
    gboolean output_vendor;
    GPtrArray *names;       /* distinct model names, first seen first */
    GArray *name_counts;    /* guint64 hosts per name */
    guint64 n;
    guint64 first_host;
    /* plan: for each map bit, how many hosts lack it (saturating at 2) and
     * the one that does when it is 1; `live` marks bits still below 2 */
    guint8 *lack;
    guint64 *lacker;
    CsWord *live;
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
    g_free(a->lack);
    g_free(a->lacker);
    g_free(a->live);
    g_free(a);
}

static Acc *
acc_new(const CsCpuMap *map, gboolean plan, const char *arch, int key_vendor)
{
    Acc *a = g_new0(Acc, 1);

    a->arch = g_strdup(arch);
    a->key_vendor = key_vendor;
    a->vec = cs_vec_new(map);
    a->vendor = -1;
    a->output_vendor = TRUE;
    a->names = g_ptr_array_new_with_free_func(g_free);
    a->name_counts = g_array_new(FALSE, TRUE, sizeof(guint64));
    if (plan) {
        guint nbits = map->t.n_words * 32;

        a->lack = g_new0(guint8, nbits);
        a->lacker = g_new0(guint64, nbits);
        a->live = cs_vec_new(map);
        for (guint b = 0; b < nbits; b++) {
            if (map->bit_off[b + 1] > map->bit_off[b])
                a->live[b / 32] |= 1u << (b % 32);
        }
    }
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

static void
acc_track_lack(const CsCpuMap *map, Acc *a, const CsWord *vec, guint64 host)
{
    for (guint w = 0; w < map->t.n_words; w++) {
        CsWord m = a->live[w] & ~vec[w];

        while (m) {
            guint b = __builtin_ctz(m);
            guint bit = w * 32 + b;

            m &= m - 1;
            if (a->lack[bit] == 0) {
                a->lack[bit] = 1;
                a->lacker[bit] = host;
            } else {
                a->lack[bit] = 2;
                a->live[w] &= ~(1u << b);
            }
        }
    }
}

/* One CPU through libvirt's loop body. @vec is the CPU's data (model +
 * features); @model_vendor the vendor of its model (-1: none). Returns FALSE
 * with @error on libvirt's vendor errors. */
static gboolean
acc_add(const CsCpuMap *map, Acc *a, const CsCpuDef *def, const CsWord *vec,
        int model_vendor, guint64 host, GError **error)
{
    if (a->n == 0) {
        if (!def->vendor) {
            a->output_vendor = FALSE;
        } else if ((a->vendor = cs_cpu_map_lookup_vendor(map, def->vendor)) < 0) {
            g_autofree char *shown = cs_shown(def->vendor);

            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                        "Unknown CPU vendor %s", shown);
            return FALSE;
        }
        memcpy(a->vec, vec, sizeof(CsWord) * map->t.n_words);
        a->first_host = host;
    } else {
        const char *vn = NULL;

        if (def->vendor && model_vendor >= 0 &&
            strcmp(def->vendor, map->t.vendors[model_vendor].name) != 0) {
            g_autofree char *model = cs_shown(def->model);
            g_autofree char *vendor = cs_shown(def->vendor);

            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "CPU vendor %s of model %s differs from vendor %s",
                        map->t.vendors[model_vendor].name, model, vendor);
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
                    g_autofree char *shown = cs_shown(vn);

                    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                                "Unknown CPU vendor %s", shown);
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
    if (a->lack)
        acc_track_lack(map, a, vec, host);
    a->n++;
    return TRUE;
}

/* Folds @from (hosts with no vendor at all) into @into; the result is what
 * one pass over both groups' hosts gives. */
static void
acc_merge(const CsCpuMap *map, Acc *into, const Acc *from)
{
    guint nbits = map->t.n_words * 32;

    for (guint w = 0; w < map->t.n_words; w++)
        into->vec[w] &= from->vec[w];
    if (!from->output_vendor)
        into->output_vendor = FALSE;
    for (guint i = 0; i < from->names->len; i++)
        acc_add_name(into, g_ptr_array_index(from->names, i),
                     g_array_index(from->name_counts, guint64, i));
    for (guint b = 0; into->lack && b < nbits; b++) {
        guint sum = into->lack[b] + from->lack[b];

        if (into->lack[b] == 0)
            into->lacker[b] = from->lacker[b];
        into->lack[b] = MIN(sum, 2);
    }
    if (from->first_host < into->first_host)
        into->first_host = from->first_host;
    into->n += from->n;
}

/* Decodes an intersection as libvirt's baseline does. @names: the distinct
 * model names of the CPUs. */
static CsCpuDef *
decode_intersection(const CsCpuMap *map, const CsWord *vec, int vendor,
                    gboolean output_vendor, const char *const *names,
                    CsBaselineFlags flags, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    CsDecodeFlags dflags = CS_DECODE_GUEST | CS_DECODE_FEATURE_DATA;

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
        dflags |= CS_DECODE_MIGRATABLE;
    if (!(def = cs_cpu_decode_full(map, data, dflags, NULL, names,
                                   CS_CPU_FALLBACK_ALLOW, NULL, error)))
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
acc_result(const CsCpuMap *map, const Acc *a, CsBaselineFlags flags, GError **error)
{
    g_autofree const char **names = g_new0(const char *, a->names->len + 1);

    for (guint i = 0; i < a->names->len; i++)
        names[i] = g_ptr_array_index(a->names, i);
    return decode_intersection(map, a->vec, a->vendor, a->output_vendor, names, flags,
                               error);
}

/* ---- The builder -------------------------------------------------------- */

typedef struct {
    const char *name;       /* in the builder's string chunk */
    const char *reason;     /* NULL, or why it cannot join */
    gint16 model;           /* map index, -1 unknown */
    gint8 vendor;           /* effective vendor, -1 none */
    guint8 level;           /* 0..4; 0xff unknown */
    guint8 status;          /* CsHostStatus */
    guint16 group;
} HostRec;

struct _CsBaselineBuilder {
    const CsCpuMap *map;
    CsBaselineFlags flags;
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
    } else {
        b->acc = acc_new(map, FALSE, NULL, -1);
    }
    return b;
}

void
cs_baseline_builder_free(CsBaselineBuilder *b)
{
    if (!b)
        return;
    acc_free(b->acc);
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
    g_free(b);
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
    if (!known && !(known = vec = cs_x86_def_to_vec(map, host, CS_X86_ALL, &b->error)))
        return;
    mi = cs_cpu_map_lookup_model(map, host->model);
    acc_add(map, b->acc, host, known, map->t.models[mi].vendor, b->n, &b->error);
}

static HostRec *
new_host(CsBaselineBuilder *b, const char *name)
{
    HostRec rec = { .model = -1, .vendor = -1, .level = 0xff };

    if (name) {
        rec.name = g_string_chunk_insert(b->strings, name);
    } else {
        char buf[32];

        g_snprintf(buf, sizeof(buf), "#%" G_GUINT64_FORMAT, b->n + 1);
        rec.name = g_string_chunk_insert(b->strings, buf);
    }
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
add_plan(CsBaselineBuilder *b, const CsCpuDef *host, const char *name,
         const CsWord *known)
{
    const CsCpuMap *map = b->map;
    HostRec *rec = new_host(b, name);
    g_autofree CsWord *vec = NULL;
    g_autoptr(GError) error = NULL;
    const char *arch = host->arch ? host->arch : "x86_64";
    int mi, mv, ev = -1;
    Acc *group = NULL;

    if (!host->model) {
        host_invalid(b, rec, "no CPU model specified");
        return;
    }
    if (!known && !(known = vec = cs_x86_def_to_vec(map, host, CS_X86_ALL, &error))) {
        host_invalid(b, rec, error->message);
        return;
    }
    mi = cs_cpu_map_lookup_model(map, host->model);
    mv = map->t.models[mi].vendor;
    rec->model = mi;
    if (host->vendor) {
        if ((ev = cs_cpu_map_lookup_vendor(map, host->vendor)) < 0) {
            g_autofree char *shown = cs_shown(host->vendor);
            g_autofree char *msg = g_strdup_printf("unknown CPU vendor '%s'", shown);

            host_invalid(b, rec, msg);
            return;
        }
        if (mv >= 0 && mv != ev && b->n > 0) {
            g_autofree char *model = cs_shown(host->model);
            g_autofree char *vendor = cs_shown(host->vendor);
            g_autofree char *msg = g_strdup_printf("CPU vendor %s of model %s differs "
                                                   "from vendor %s",
                                                   map->t.vendors[mv].name, model, vendor);

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
        group = acc_new(map, TRUE, arch, ev);
        rec->group = b->groups->len;
        g_ptr_array_add(b->groups, group);
    }
    if (!acc_add(map, group, host, known, mv, b->n, &error))
        host_invalid(b, rec, error->message);
    else
        rec->status = CS_HOST_JOINED;
}

static void
builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name,
            const CsWord *known)
{
    if (!b->plan && cs_arch_kind(host->arch) == CS_ARCH_GENERIC) {
        if (!b->generic)
            b->generic = g_ptr_array_new_with_free_func((GDestroyNotify) cs_cpu_def_free);
        g_ptr_array_add(b->generic, cs_cpu_def_copy(host));
    } else if (b->plan) {
        add_plan(b, host, name, known);
    } else {
        add_exact(b, host, known);
    }
    b->n++;
}

void
cs_baseline_builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name)
{
    g_return_if_fail(b != NULL && host != NULL);
    builder_add(b, host, name, NULL);
}

/* The vector of a CPU the stream will keep (NULL when it has no valid one). */
static const CsWord *
cached_vec(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host)
{
    CsWord *vec;

    if (g_hash_table_lookup_extended(vecs, host, NULL, (gpointer *) &vec))
        return vec;
    vec = host->model ? cs_x86_def_to_vec(b->map, host, CS_X86_ALL, NULL) : NULL;
    g_hash_table_insert(vecs, (gpointer) host, vec);
    return vec;
}

static void
add_stream_host(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host,
                gboolean stable, const char *name, guint64 k, gboolean alone)
{
    g_autofree char *label = NULL;
    const CsWord *vec = stable ? cached_vec(b, vecs, host) : NULL;

    if (b->plan)
        label = alone ? g_strdup(name) : g_strdup_printf("%s#%" G_GUINT64_FORMAT, name, k);
    builder_add(b, host, label, vec);
}

gboolean
cs_baseline_builder_add_stream(CsBaselineBuilder *b, CsCpuStream *stream, const char *name,
                               CsProgressFunc progress, gpointer user_data, GError **error)
{
    g_autoptr(GHashTable) vecs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    g_autoptr(CsCpuDef) first = NULL;   /* named once we know if it is alone */
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
                add_stream_host(b, vecs, first_ref, first_stable, name, 1, FALSE);
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
        } else {
            if (first_ref) {
                add_stream_host(b, vecs, first_ref, first_stable, name, 1, FALSE);
                first_ref = NULL;
            }
            add_stream_host(b, vecs, host, stable, name, k, FALSE);
        }
        if (progress && (k & 255) == 0)
            progress(b->n, stream, user_data);
    }
    if (first_ref)
        add_stream_host(b, vecs, first_ref, first_stable, name, 1, TRUE);
    return TRUE;
}

void
cs_baseline_builder_add_error(CsBaselineBuilder *b, const char *name, GError *error)
{
    g_return_if_fail(b != NULL && error != NULL);
    if (b->plan) {
        host_invalid(b, new_host(b, name), error->message);
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
    return acc_result(b->map, b->acc, b->flags, error);
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

typedef struct {
    guint64 host;
    char **lacks;
    CsCpuDef *baseline;     /* may be NULL */
    const char *level;
} Dragger;

struct _CsFleetPlan {
    CsCpuDef *baseline;
    const char *level;
    char *arch;
    char *vendor;
    guint64 n_hosts;
    HostRec *hosts;         /* owned copy of the builder's records */
    GStringChunk *strings;  /* taken from the builder */
    const CsCpuMap *map;
    GArray *draggers;       /* Dragger */
    guint64 level_count[5];
};

/* Decoding the baseline without each dragger is bounded. */
#define MAX_DRAGGER_DECODES 2000

static void
dragger_clear(gpointer p)
{
    Dragger *d = p;

    g_strfreev(d->lacks);
    if (d->baseline)
        cs_cpu_def_free(d->baseline);
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
    if (plan->draggers)
        g_array_unref(plan->draggers);
    g_free(plan);
}

static int
dragger_cmp(gconstpointer pa, gconstpointer pb)
{
    const Dragger *a = pa;
    const Dragger *b = pb;
    guint la = g_strv_length(a->lacks);
    guint lb = g_strv_length(b->lacks);

    if (la != lb)
        return la > lb ? -1 : 1;
    return a->host < b->host ? -1 : (a->host > b->host);
}

/* The hosts that alone lack some bits all others have. */
static GArray *
find_draggers(CsBaselineBuilder *b, const Acc *a)
{
    const CsCpuMap *map = b->map;
    guint nbits = map->t.n_words * 32;
    g_autoptr(GHashTable) extra = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                                        g_free, g_free);
    GArray *out = g_array_new(FALSE, TRUE, sizeof(Dragger));
    GHashTableIter it;
    gpointer key, value;
    guint decoded = 0;

    g_array_set_clear_func(out, dragger_clear);
    if (a->n < 2)
        return out;
    for (guint bit = 0; bit < nbits; bit++) {
        CsWord *v;

        if (a->lack[bit] != 1)
            continue;
        if (!(v = g_hash_table_lookup(extra, &a->lacker[bit]))) {
            gint64 *k = g_new(gint64, 1);

            *k = (gint64) a->lacker[bit];
            v = cs_vec_new(map);
            g_hash_table_insert(extra, k, v);
        }
        v[bit / 32] |= 1u << (bit % 32);
    }
    g_hash_table_iter_init(&it, extra);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        CsWord *without = value;
        g_autoptr(GPtrArray) lacks = g_ptr_array_new();
        Dragger d = { .host = *(gint64 *) key };

        for (guint w = 0; w < map->t.n_words; w++)
            without[w] |= a->vec[w];
        for (guint f = 0; f < map->t.n_features; f++) {
            const CsMapFeature *feat = &map->t.features[f];

            if (feat->n_parts && cs_vec_has_feature(without, feat) &&
                !cs_vec_has_feature(a->vec, feat))
                g_ptr_array_add(lacks, g_strdup(feat->name));
        }
        if (lacks->len == 0)
            continue;
        g_ptr_array_add(lacks, NULL);
        d.lacks = (char **) g_ptr_array_free(g_steal_pointer(&lacks), FALSE);
        g_array_append_val(out, d);
    }
    g_array_sort(out, dragger_cmp);
    for (guint i = 0; i < out->len && decoded < MAX_DRAGGER_DECODES; i++) {
        Dragger *d = &g_array_index(out, Dragger, i);
        const HostRec *rec = &g_array_index(b->hosts, HostRec, d->host);
        const char *own = map->t.models[rec->model].name;
        g_autofree const char **names = g_new0(const char *, a->names->len + 1);
        g_autofree CsWord *without = cs_vec_new(map);
        gint64 key64 = (gint64) d->host;
        guint k = 0;
        g_autoptr(GError) error = NULL;

        memcpy(without, g_hash_table_lookup(extra, &key64),
               sizeof(CsWord) * map->t.n_words);
        for (guint n = 0; n < a->names->len; n++) {
            /* its model is no longer an input's if it was the only one */
            if (strcmp(g_ptr_array_index(a->names, n), own) == 0 &&
                g_array_index(a->name_counts, guint64, n) == 1)
                continue;
            names[k++] = g_ptr_array_index(a->names, n);
        }
        d->baseline = decode_intersection(map, without, a->vendor, a->output_vendor,
                                          names, b->flags, &error);
        if (d->baseline) {
            PsabiTable *t = &b->psabi;
            g_autofree CsWord *bv = cs_x86_def_to_vec(map, d->baseline, CS_X86_ALL, NULL);

            d->level = bv ? psabi_names[psabi_level_of_vec(map, t, bv)] : NULL;
        }
        decoded++;
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
    if (!(plan->baseline = acc_result(map, chosen, b->flags, error)))
        return NULL;
    if ((bv = cs_x86_def_to_vec(map, plan->baseline, CS_X86_ALL, error)) == NULL)
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
    plan->draggers = find_draggers(b, chosen);
    plan->n_hosts = b->hosts->len;
    plan->hosts = g_memdup2(b->hosts->data, sizeof(HostRec) * b->hosts->len);
    /* the strings move to the plan; the builder starts a fresh chunk */
    plan->strings = b->strings;
    b->strings = g_string_chunk_new(4096);
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
    return DRAGGER(p, d)->host;
}

const char *const *
cs_fleet_plan_dragger_lacks(const CsFleetPlan *p, guint d)
{
    g_return_val_if_fail(d < p->draggers->len, NULL);
    return (const char *const *) DRAGGER(p, d)->lacks;
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

guint64
cs_fleet_plan_get_level_count(const CsFleetPlan *p, guint level)
{
    g_return_val_if_fail(level <= 4, 0);
    return p->level_count[level];
}
