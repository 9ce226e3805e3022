/* libcpusel: comparing a guest CPU with a host CPU (libvirt's x86Compute) */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "error-private.h"
#include "guest-private.h"

struct _CsCompareReport {
    CsCompareResult result;
    CsCompareReason reason;
    char *subject;
    char **features;            /* NULL when empty */
    const char *message;        /* static, or owned_message */
    char *owned_message;
};

static const char *const no_features[] = { NULL };

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const result_names[] = { CS_COMPARE_RESULTS(CS_ENUM_NAME) };
static const char *const reason_names[] = { CS_COMPARE_REASONS(CS_ENUM_NAME) };
static const char *const set_names[] = { CS_ENCODE_SETS(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_compare_result_to_string(CsCompareResult v)
{
    return v < G_N_ELEMENTS(result_names) ? result_names[v] : NULL;
}

const char *
cs_compare_reason_to_string(CsCompareReason v)
{
    return v < G_N_ELEMENTS(reason_names) ? reason_names[v] : NULL;
}

const char *
cs_encode_set_to_string(CsEncodeSet v)
{
    return v < G_N_ELEMENTS(set_names) ? set_names[v] : NULL;
}

/* libvirt's CPU drivers: x86 for i686/x86_64; the arches that have a driver
 * of their own there are compared by names here. */
static const char *const generic_archs[] = {
    "armv6l", "armv7l", "armv7b", "aarch64", "ppc64", "ppc64le", "s390", "s390x",
    "riscv32", "riscv64", "loongarch64",
};

CsArchKind
cs_arch_kind(const char *arch)
{
    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0)
        return CS_ARCH_X86;
    for (guint i = 0; i < G_N_ELEMENTS(generic_archs); i++) {
        if (strcmp(arch, generic_archs[i]) == 0)
            return CS_ARCH_GENERIC;
    }
    return CS_ARCH_UNSUPPORTED;
}

gboolean
cs_arch_unsupported(const char *arch, GError **error)
{
    g_autofree char *shown = cs_shown(arch);

    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "CPU operations are not supported for arch '%s'", shown);
    return FALSE;
}

static char *
quoted_list(const char *const *names)
{
    g_autoptr(GString) s = g_string_sized_new(256);

    for (guint i = 0; names && names[i]; i++) {
        if (i)
            g_string_append_len(s, ", ", 2);
        g_autofree char *shown = cs_shown(names[i]);

        g_string_append_c(s, '\'');
        g_string_append(s, shown);
        g_string_append_c(s, '\'');
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

CsCompareReport *
cs_compare_report_new(CsCompareResult result, CsCompareReason reason, const char *subject,
                      const char *const *features)
{
    CsCompareReport *r = g_new0(CsCompareReport, 1);
    g_autofree char *list = NULL;
    g_autofree char *shown = NULL;

    r->result = result;
    r->reason = reason;
    r->subject = g_strdup(subject);
    if (features && features[0]) {
        /* one block: the pointers, then the names */
        gsize n = 0, bytes = 0;
        char *p;

        for (; features[n]; n++)
            bytes += strlen(features[n]) + 1;
        r->features = g_malloc(sizeof(char *) * (n + 1) + bytes);
        p = (char *) (r->features + n + 1);
        for (gsize i = 0; i < n; i++) {
            gsize len = strlen(features[i]) + 1;

            memcpy(p, features[i], len);
            r->features[i] = p;
            p += len;
        }
        r->features[n] = NULL;
    }
    /* compatible results (the common case) need no allocation beyond the
     * report itself */
    if (reason == CS_REASON_NONE || reason >= CS_REASON_LAST) {
        r->message = result == CS_COMPARE_IDENTICAL ?
                     "the host CPU provides exactly the guest CPU" :
                     "the host CPU provides more than the guest CPU";
        return r;
    }
    list = quoted_list(features);
    shown = cs_shown(subject);
    subject = shown;
    switch (reason) {
    case CS_REASON_ARCH:
        r->owned_message = g_strdup_printf("the guest CPU's arch '%s' does not match "
                                           "the host's", subject);
        break;
    case CS_REASON_VENDOR:
        r->owned_message = g_strdup_printf("the host CPU's vendor is not the guest "
                                           "CPU's vendor '%s'", subject);
        break;
    case CS_REASON_FORBIDDEN:
        r->owned_message = g_strconcat("the host CPU provides forbidden features: ",
                                       list, NULL);
        break;
    case CS_REASON_MISSING:
        r->owned_message = g_strconcat("the host CPU lacks required features: ", list,
                                       NULL);
        break;
    case CS_REASON_EXTRA:
        r->owned_message = g_strconcat("the host CPU has features the strict guest "
                                       "CPU does not list: ", list, NULL);
        break;
    case CS_REASON_NO_HOST_MODEL:
        r->owned_message = g_strdup("the host CPU has no model");
        break;
    case CS_REASON_MODEL:
        r->owned_message = g_strdup_printf("the host CPU's model is not the guest "
                                           "CPU's model '%s'", subject);
        break;
    case CS_REASON_NONE:
    case CS_REASON_LAST:
    default:
        break;
    }
    r->message = r->owned_message;
    return r;
}

void
cs_compare_report_free(CsCompareReport *report)
{
    if (!report)
        return;
    g_free(report->subject);
    g_free(report->features);
    g_free(report->owned_message);
    g_free(report);
}

CsCompareResult
cs_compare_report_get_result(const CsCompareReport *report)
{
    return report->result;
}

CsCompareReason
cs_compare_report_get_reason(const CsCompareReport *report)
{
    return report->reason;
}

const char *
cs_compare_report_get_subject(const CsCompareReport *report)
{
    return report->subject;
}

const char *const *
cs_compare_report_get_features(const CsCompareReport *report)
{
    if (!report->features)
        return no_features;
    return (const char *const *) report->features;
}

const char *
cs_compare_report_get_message(const CsCompareReport *report)
{
    return report->message;
}

/* Names (owned by @map) of the features in @vec, NULL-terminated, in map
 * order. Returns: (transfer container). */
static const char **
vec_feature_names(const CsCpuMap *map, const CsWord *vec)
{
    guint64 stack[16];                  /* maps of up to 1024 features */
    g_autofree guint64 *heap = NULL;
    guint64 *taken = stack;
    guint n_sets = (map->t.n_features + 63) / 64;
    GPtrArray *names = g_ptr_array_new();

    if (n_sets > G_N_ELEMENTS(stack))
        taken = heap = g_new0(guint64, n_sets);
    else
        memset(stack, 0, sizeof(stack));
    /* only the features having one of the set bits (or no bit at all) can
     * be in @vec: walk the map's bit index instead of every feature */
    for (guint e = 0; e < map->n_empty; e++)
        taken[map->empty_feats[e] / 64] |= G_GUINT64_CONSTANT(1) << (map->empty_feats[e] % 64);
    for (guint w = 0; w < map->t.n_words; w++) {
        for (CsWord bits = vec[w]; bits; bits &= bits - 1) {
            guint b = w * 32 + (guint) __builtin_ctz(bits);

            for (guint k = map->bit_off[b]; k < map->bit_off[b + 1]; k++) {
                guint f = map->bit_feat[k];

                if (!(taken[f / 64] & (G_GUINT64_CONSTANT(1) << (f % 64))) &&
                    cs_vec_has_feature(vec, &map->t.features[f]))
                    taken[f / 64] |= G_GUINT64_CONSTANT(1) << (f % 64);
            }
        }
    }
    for (guint s = 0; s < n_sets; s++) {
        for (guint64 bits = taken[s]; bits; bits &= bits - 1) {
            guint f = s * 64 + (guint) __builtin_ctzll(bits);

            g_ptr_array_add(names, (gpointer) map->t.features[f].name);
        }
    }
    g_ptr_array_add(names, NULL);
    return (const char **) g_ptr_array_free(names, FALSE);
}

char **
cs_x86_vec_feature_names(const CsCpuMap *map, const CsWord *vec)
{
    g_autofree const char **names = vec_feature_names(map, vec);

    return g_strdupv((char **) names);
}

static CsCompareReport *
incompatible(const CsCpuMap *map, CsCompareReason reason, const CsWord *vec)
{
    g_autofree const char **names = vec_feature_names(map, vec);

    /* g_debug() formats its message even when nobody listens */
    if (!g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
        g_debug("incompatible (%s): %u features", cs_compare_reason_to_string(reason),
                g_strv_length((char **) names));
    return cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, reason, NULL, names);
}

/* The vectors of one comparison, in one allocation. */
enum {
    VEC_HOST,       /* libvirt's x86ModelFromCPU(host, -1) */
    VEC_FORCE,      /* the guest's features by policy; the model is required */
    VEC_REQUIRE,
    VEC_OPTIONAL,
    VEC_DISABLE,
    VEC_FORBID,
    VEC_SCRATCH,    /* missing or extra features */
    VEC_LAST
};

static gboolean
unknown_feature(const char *name, GError **error)
{
    g_autofree char *shown = cs_shown(name);

    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_FEATURE, "unknown CPU feature '%s'",
                shown);
    return FALSE;
}

static gboolean
unknown_model(const char *name, GError **error)
{
    g_autofree char *shown = cs_shown(name);

    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_MODEL, "unknown CPU model '%s'", shown);
    return FALSE;
}

static gboolean
add_model(const CsCpuMap *map, const CsCpuDef *def, CsWord *vec, const CsMapModel **out_model,
          GError **error)
{
    int mi;

    if (out_model)
        *out_model = NULL;
    if (!def->model)
        return TRUE;
    if ((mi = cs_cpu_map_lookup_model(map, def->model)) < 0)
        return unknown_model(def->model, error);
    memcpy(vec, map->t.models[mi].vec, sizeof(CsWord) * map->t.n_words);
    if (out_model)
        *out_model = &map->t.models[mi];
    return TRUE;
}

/* @host's data as cs_x86_def_to_vec(CS_X86_ALL): the model's features, plus
 * the required and forced ones, minus the disabled and forbidden ones (in
 * the order they are listed). */
static gboolean
host_vec(const CsCpuMap *map, const CsCpuDef *host, CsWord *vec, GError **error)
{
    if (!add_model(map, host, vec, NULL, error))
        return FALSE;
    for (guint i = 0; i < host->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(host->features, CsCpuFeature, i);
        int fi;

        if (f->policy == CS_FEATURE_OPTIONAL)
            continue;
        fi = cs_map_find_feature_hashed(map, f->name, f->hash);
        if (fi < 0)
            return unknown_feature(f->name, error);
        if (f->policy == CS_FEATURE_DISABLE || f->policy == CS_FEATURE_FORBID)
            cs_vec_del_feature(vec, &map->t.features[fi]);
        else
            cs_vec_add_feature(vec, &map->t.features[fi]);
    }
    return TRUE;
}

/* @guest's features by policy, each name looked up once, as the five calls
 * cs_x86_def_to_vec(guest, policy) give them, errors included: the first
 * unknown forced feature is reported first, then an unknown model, then the
 * first unknown required, optional, disabled and forbidden feature. A host
 * CPU only has required features. */
static gboolean
guest_vecs(const CsCpuMap *map, const CsCpuDef *guest, CsWord *const *vecs,
           GError **error)
{
    static const guint set_of[] = {
        [CS_FEATURE_FORCE] = VEC_FORCE,
        [CS_FEATURE_REQUIRE] = VEC_REQUIRE,
        [CS_FEATURE_OPTIONAL] = VEC_OPTIONAL,
        [CS_FEATURE_DISABLE] = VEC_DISABLE,
        [CS_FEATURE_FORBID] = VEC_FORBID,
    };
    const char *unknown[VEC_LAST] = { NULL };
    const CsMapModel *model = NULL;
    gboolean host_type = guest->type == CS_CPU_TYPE_HOST;

    for (guint i = 0; i < guest->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(guest->features, CsCpuFeature, i);
        CsFeaturePolicy p = f->policy == CS_FEATURE_POLICY_NONE ?
                            CS_FEATURE_REQUIRE : f->policy;
        guint set;
        int fi;

        if ((guint) p >= G_N_ELEMENTS(set_of) || (host_type && p != CS_FEATURE_REQUIRE))
            continue;
        set = set_of[p];
        fi = cs_map_find_feature_hashed(map, f->name, f->hash);
        if (fi < 0) {
            if (!unknown[set])
                unknown[set] = f->name;
            continue;
        }
        cs_vec_add_feature(vecs[set], &map->t.features[fi]);
    }
    if (unknown[VEC_FORCE])
        return unknown_feature(unknown[VEC_FORCE], error);
    /* the model's bits go under the required ones (they only add bits) */
    if (!add_model(map, guest, vecs[VEC_SCRATCH], &model, error))
        return FALSE;
    for (guint set = VEC_REQUIRE; set <= VEC_FORBID; set++) {
        if (unknown[set])
            return unknown_feature(unknown[set], error);
    }
    if (guest->model) {
        for (guint w = 0; w < map->t.n_words; w++) {
            vecs[VEC_REQUIRE][w] |= vecs[VEC_SCRATCH][w];
            vecs[VEC_SCRATCH][w] = 0;
        }
    }
    return TRUE;
}

gboolean
cs_x86_compute(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
               CsCompareReport **out_report, CsWord **out_guest_vec, GError **error)
{
    guint n_words = map->t.n_words;
    guint stride = n_words + 1;
    CsWord stack[VEC_LAST * 64];    /* maps of up to 63 words need no heap */
    g_autofree CsWord *heap = NULL;
    CsWord *store = stack;
    CsWord *v[VEC_LAST];
    CsWord any = 0;
    CsCompareResult result;

    if (guest->arch && cs_arch_kind(guest->arch) != CS_ARCH_X86) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_ARCH,
                                            guest->arch, NULL);
        return TRUE;
    }
    if (guest->vendor && (!host->vendor || strcmp(guest->vendor, host->vendor) != 0)) {
        *out_report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE, CS_REASON_VENDOR,
                                            guest->vendor, NULL);
        return TRUE;
    }
    if (stride > 64)
        store = heap = g_new0(CsWord, (gsize) stride * VEC_LAST);
    else
        memset(stack, 0, sizeof(CsWord) * stride * VEC_LAST);
    for (guint i = 0; i < VEC_LAST; i++)
        v[i] = store + (gsize) i * stride;
    if (!host_vec(map, host, v[VEC_HOST], error) || !guest_vecs(map, guest, v, error))
        return FALSE;

    for (guint w = 0; w < n_words; w++) {
        v[VEC_FORBID][w] &= v[VEC_HOST][w];
        any |= v[VEC_FORBID][w];
    }
    if (any) {
        *out_report = incompatible(map, CS_REASON_FORBIDDEN, v[VEC_FORBID]);
        return TRUE;
    }

    /* model features explicitly forced, made optional or disabled are not
     * required from the host */
    for (guint w = 0; w < n_words; w++) {
        v[VEC_REQUIRE][w] &= ~(v[VEC_FORCE][w] | v[VEC_OPTIONAL][w] |
                               v[VEC_DISABLE][w]);
        v[VEC_SCRATCH][w] = v[VEC_REQUIRE][w] & ~v[VEC_HOST][w];
        any |= v[VEC_SCRATCH][w];
    }
    if (any) {
        *out_report = incompatible(map, CS_REASON_MISSING, v[VEC_SCRATCH]);
        return TRUE;
    }

    /* what the host has beyond everything the guest mentions */
    for (guint w = 0; w < n_words; w++) {
        v[VEC_SCRATCH][w] = v[VEC_HOST][w] & ~(v[VEC_OPTIONAL][w] | v[VEC_REQUIRE][w] |
                                               v[VEC_DISABLE][w] | v[VEC_FORCE][w]);
        any |= v[VEC_SCRATCH][w];
    }
    result = any ? CS_COMPARE_SUPERSET : CS_COMPARE_IDENTICAL;

    if (result == CS_COMPARE_SUPERSET && guest->type == CS_CPU_TYPE_GUEST &&
        guest->match == CS_CPU_MATCH_STRICT) {
        *out_report = incompatible(map, CS_REASON_EXTRA, v[VEC_SCRATCH]);
        return TRUE;
    }

    if (out_guest_vec) {
        CsWord *g = cs_vec_new(map);
        gboolean exact = guest->type == CS_CPU_TYPE_GUEST &&
                         guest->match == CS_CPU_MATCH_EXACT;

        for (guint w = 0; w < n_words; w++) {
            g[w] = v[VEC_HOST][w];
            if (exact)
                g[w] &= ~v[VEC_SCRATCH][w];
            g[w] = (g[w] | v[VEC_FORCE][w]) & ~v[VEC_DISABLE][w];
        }
        *out_guest_vec = g;
    }
    *out_report = cs_compare_report_new(result, CS_REASON_NONE, NULL, NULL);
    return TRUE;
}

gboolean
cs_cpu_compare(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
               CsCompareFlags flags, CsCompareReport **out_report, GError **error)
{
    g_autoptr(CsCompareReport) report = NULL;

    g_return_val_if_fail(map != NULL && host != NULL && guest != NULL, FALSE);
    g_return_val_if_fail(out_report != NULL, FALSE);

    switch (cs_arch_kind(host->arch)) {
    case CS_ARCH_X86:
        if (!host->model)
            report = cs_compare_report_new(CS_COMPARE_INCOMPATIBLE,
                                           CS_REASON_NO_HOST_MODEL, NULL, NULL);
        else if (!cs_x86_compute(map, host, guest, &report, NULL, error))
            return FALSE;
        break;
    case CS_ARCH_GENERIC:
        if (!cs_generic_compare(host, guest, &report, error))
            return FALSE;
        break;
    case CS_ARCH_UNSUPPORTED:
    default:
        return cs_arch_unsupported(host->arch, error);
    }

    if (report->result == CS_COMPARE_INCOMPATIBLE &&
        (flags & CS_COMPARE_FAIL_INCOMPATIBLE)) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the guest CPU is incompatible with the host CPU: %s",
                    report->message);
        return FALSE;
    }
    *out_report = g_steal_pointer(&report);
    return TRUE;
}
