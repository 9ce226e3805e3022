/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's decoder: raw data into a CPU model plus
 * features (libvirt's x86Decode); with it, what every view of raw data
 * shares: libvirt's greedy feature lists of bit vectors and the broken-TSX
 * rule */
#include <stdarg.h>
#include <string.h>
#include <libcpusel/cs-error.h>
#include "core/error-private.h"
#include "x86-private.h"
#include "core/cpuid-data-private.h"
#include "core/decode-report-private.h"
#include "core/decode-options-private.h"

#define SIGNATURE_MASK 0x0fff3fffu
/* libvirt's base penalty of a disabled feature in a guest CPU candidate */
#define BASE_PENALTY 2

/* A set of feature indices, one bit per map feature. */
typedef guint64 FeatSet;

#define FEATSET_WORDS(map) (((map)->t.n_features + 63) / 64)
/* Stack room for maps of up to 4096 features; larger ones use the heap. */
#define FEATSET_STACK 64

static inline gboolean
featset_has(const FeatSet *set, guint f)
{
    return (set[f / 64] >> (f % 64)) & 1;
}

static inline void
featset_add(FeatSet *set, guint f)
{
    set[f / 64] |= G_GUINT64_CONSTANT(1) << (f % 64);
}

/* libvirt's greedy walk over the features of @vec (consumed): in map order,
 * every feature whose bits are all still in @vec is taken and its bits
 * removed. @taken (FEATSET_WORDS bits) receives the taken features. Stops
 * after @limit features when @limit is not 0 (@taken is then partial).
 * Returns: the number of features taken. */
static guint
vec_take(const CsCpuMap *map, CsWord *vec, FeatSet *taken, guint limit)
{
    guint n_sets = FEATSET_WORDS(map);
    guint count = 0;

    memset(taken, 0, sizeof(FeatSet) * n_sets);
    /* candidates: features without bits, and those having a bit of @vec */
    for (guint e = 0; e < map->n_empty; e++)
        featset_add(taken, map->empty_feats[e]);
    for (guint w = 0; w < map->t.n_words; w++) {
        CsWord bits = vec[w];

        while (bits) {
            guint bit = w * 32 + __builtin_ctz(bits);

            bits &= bits - 1;
            for (guint k = map->bit_off[bit]; k < map->bit_off[bit + 1]; k++)
                featset_add(taken, map->bit_feat[k]);
        }
    }
    for (guint s = 0; s < n_sets; s++) {
        FeatSet cand = taken[s];

        while (cand) {
            guint b = __builtin_ctzll(cand);
            guint f = s * 64 + b;
            const CsMapFeature *feat = &map->t.features[f];

            cand &= cand - 1;
            if (cs_vec_has_feature(vec, feat)) {
                cs_vec_del_feature(vec, feat);
                if (++count == limit)
                    return count;
            } else {
                taken[s] &= ~(G_GUINT64_CONSTANT(1) << b);
            }
        }
    }
    return count;
}

/* Appends the features of @set to @out (guint16), ascending. */
static void
featset_append(const CsCpuMap *map, const FeatSet *set, GArray *out)
{
    for (guint s = 0; s < FEATSET_WORDS(map); s++) {
        FeatSet bits = set[s];

        while (bits) {
            guint16 f = s * 64 + __builtin_ctzll(bits);

            bits &= bits - 1;
            g_array_append_val(out, f);
        }
    }
}

void
cs_x86_vec_features(const CsCpuMap *map, CsWord *vec, GArray *out)
{
    FeatSet stack[FEATSET_STACK];
    g_autofree FeatSet *heap = NULL;
    FeatSet *taken = stack;

    if (FEATSET_WORDS(map) > FEATSET_STACK)
        taken = heap = g_new(FeatSet, FEATSET_WORDS(map));
    vec_take(map, vec, taken, 0);
    featset_append(map, taken, out);
}

typedef CsFeatIndex FeatIndex;

/* Bits set in @x (no popcnt instruction is assumed). */
static inline guint
popcount32(guint32 x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    return (((x + (x >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}

/* The number of features vec_take() would take from @vec, the FEAT_SINGLE
 * ones excepted (the caller counts them). Only the bits of shared features
 * are removed from @vec; @shared_taken receives the shared features taken. */
static guint
vec_count_rest(const CsCpuMap *map, const FeatIndex *fi, CsWord *vec,
               FeatSet *shared_taken)
{
    guint n = fi->n_empty;

    for (guint i = 0; i < fi->n_multi; i++)
        n += cs_vec_has_feature(vec, &map->t.features[fi->multi[i]]);
    memset(shared_taken, 0, sizeof(FeatSet) * FEATSET_WORDS(map));
    for (guint i = 0; i < fi->n_shared; i++) {
        const CsMapFeature *feat = &map->t.features[fi->shared[i]];

        if (cs_vec_has_feature(vec, feat)) {
            cs_vec_del_feature(vec, feat);
            featset_add(shared_taken, fi->shared[i]);
            n++;
        }
    }
    return n;
}

/* Whether vec_count() counted feature @f of @vec (as left by it). */
static gboolean
vec_counted(const CsCpuMap *map, const FeatIndex *fi, const CsWord *vec,
            const FeatSet *shared_taken, guint f)
{
    switch ((CsFeatClass) fi->cls[f]) {
    case CS_FEAT_EMPTY:
        return TRUE;
    case CS_FEAT_SHARED:
        return featset_has(shared_taken, f);
    default:
        return cs_vec_has_feature(vec, &map->t.features[f]);
    }
}

void
cs_x86_vec_to_def(const CsCpuMap *map, CsWord *vec, CsCpuDef *def,
                  CsFeaturePolicy policy)
{
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint16));

    cs_x86_vec_features(map, vec, idx);
    for (guint i = 0; i < idx->len; i++)
        cs_cpu_def_append_feature(def, map->t.features[g_array_index(idx, guint16, i)].name,
                                  policy);
}

/* One candidate model, as libvirt's x86DataToCPU builds it. The feature
 * lists are only built when asked (the report, the winner); the counts and
 * the score always are. */
typedef struct {
    int model;
    const char *hv;         /* its entry in the allowed list, or NULL */
    guint n_req;            /* features the data has beyond the model */
    guint n_dis;            /* model features the data lacks (+ removed) */
    GArray *req;            /* (nullable) guint16: the n_req features */
    GArray *dis;            /* (nullable) guint16: the n_dis features */
    guint n_features;       /* req + dis */
    guint score;            /* libvirt's weighted count (guest) */
    guint penalty;          /* the disabled part of the score */
} Candidate;

/* Scratch space of one decode, allocated once. */
typedef struct {
    CsWord *req;            /* n_words */
    CsWord *dis;            /* n_words */
    FeatSet *req_set;       /* FEATSET_WORDS */
    FeatSet *dis_set;       /* FEATSET_WORDS */
    const FeatIndex *fi;
    CsWord *missing;        /* n_words: one-bit feature bits the data lacks */
} Work;

static void
work_clear(Work *work)
{
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Work, work_clear)

static void
candidate_clear(Candidate *c)
{
    g_clear_pointer(&c->req, g_array_unref);
    g_clear_pointer(&c->dis, g_array_unref);
}

/* Finds @name in @allowed ("Name" or "Name:blocker:..."); returns the entry. */
static const char *
find_allowed(const char *const *allowed, const char *name)
{
    gsize len = strlen(name);

    for (guint i = 0; allowed[i]; i++) {
        if (strncmp(allowed[i], name, len) == 0 &&
            (allowed[i][len] == '\0' || allowed[i][len] == ':'))
            return allowed[i];
    }
    return NULL;
}

/* The feature named exactly @name (aliases do not count: libvirt finds the
 * features it names itself, and a blocker list, by their own names). */
static int
canonical_feature(const CsCpuMap *map, const char *name)
{
    int f = cs_map_find_feature(map, name);

    return f >= 0 && strcmp(map->t.features[f].name, name) == 0 ? f : -1;
}

/* Evaluates model @mi against @data. With @lists, c->req and c->dis are
 * filled. Without @lists, a host candidate stops as soon as one missing
 * feature is found (c->n_dis is then 1 and nothing else is set). */
static void
build_candidate(const CsCpuMap *map, const CsWord *data, int mi, const char *hv,
                gboolean guest, gboolean lists, Work *work, Candidate *c)
{
    const CsMapModel *m = &map->t.models[mi];
    const CsWord *mvec = m->vec;
    CsWord *req = work->req;
    CsWord *dis = work->dis;
    guint enabled, disabled;

    guint single_req = 0, single_dis = 0;
    gboolean blocked = hv && strchr(hv, ':');

    if (!guest && !lists && !blocked) {
        /* a host model lacking a one-bit feature is out: most newer ones */
        CsWord lacks = 0;

        for (guint w = 0; w < map->t.n_words; w++)
            lacks |= mvec[w] & work->missing[w];
        if (lacks) {
            c->model = mi;
            c->hv = hv;
            c->n_dis = popcount32(lacks);
            return;
        }
    }
    /* one pass: the two vectors and their one-bit feature counts */
    for (guint w = 0; w < map->t.n_words; w++) {
        CsWord r = data[w] & ~mvec[w];
        CsWord d = mvec[w] & ~data[w];

        req[w] = r;
        dis[w] = d;
        if ((r | d) & work->fi->single[w]) {
            single_req += popcount32(r & work->fi->single[w]);
            single_dis += popcount32(d & work->fi->single[w]);
        }
    }
    if (blocked) {
        g_auto(GStrv) blockers = g_strsplit(strchr(hv, ':') + 1, ":", -1);

        for (guint b = 0; blockers[b]; b++) {
            int f = canonical_feature(map, blockers[b]);

            if (f >= 0 && !cs_vec_has_feature(req, &map->t.features[f]))
                cs_vec_add_feature(dis, &map->t.features[f]);
        }
    }
    c->model = mi;
    c->hv = hv;
    if (lists) {
        c->n_dis = vec_take(map, dis, work->dis_set, 0);
        c->n_req = vec_take(map, req, work->req_set, 0);
        c->req = g_array_sized_new(FALSE, FALSE, sizeof(guint16), c->n_req);
        c->dis = g_array_sized_new(FALSE, FALSE, sizeof(guint16), c->n_dis);
        featset_append(map, work->req_set, c->req);
        featset_append(map, work->dis_set, c->dis);
        if (guest) {
            for (guint r = 0; r < m->n_removed; r++) {
                guint16 f = m->removed[r];

                if (featset_has(work->req_set, f) || featset_has(work->dis_set, f))
                    continue;
                featset_add(work->dis_set, f);
                c->n_dis++;
                g_array_append_val(c->dis, f);
            }
        }
    } else {
        /* counts only: the same numbers as the lists above */
        if (blocked) {
            /* blockers changed @dis after the pass */
            single_dis = 0;
            for (guint w = 0; w < map->t.n_words; w++)
                single_dis += popcount32(dis[w] & work->fi->single[w]);
        }
        if (!guest && single_dis > 0) {
            c->n_dis = single_dis;
            return;
        }
        c->n_dis = single_dis + vec_count_rest(map, work->fi, dis, work->dis_set);
        if (!guest && c->n_dis > 0)
            return;
        c->n_req = single_req + vec_count_rest(map, work->fi, req, work->req_set);
        for (guint r = 0; guest && r < m->n_removed; r++) {
            guint16 f = m->removed[r];
            gboolean seen = FALSE;

            for (guint k = 0; k < r && !seen; k++)
                seen = m->removed[k] == f;
            if (seen ||
                vec_counted(map, work->fi, req, work->req_set, f) ||
                vec_counted(map, work->fi, dis, work->dis_set, f))
                continue;
            c->n_dis++;
        }
    }
    c->n_features = c->n_req + c->n_dis;
    /* libvirt's weighting walks the list (required features first, then
     * disabled ones) while shrinking its bound, so only the first
     * ceil(D / 2) disabled features are weighed, at 2, 3, 4, ... each */
    if (guest) {
        guint k = (c->n_dis + 1) / 2;

        disabled = BASE_PENALTY * k + k * (k - (k > 0)) / 2;
        enabled = c->n_features - k;
        c->score = enabled + disabled;
        c->penalty = disabled;
    } else {
        c->score = c->n_features;
        c->penalty = 0;
    }
}

/* A reason sentence for the report, or NULL when there is no report. */
static char *
reason_new(const CsDecodeReport *report, const char *format, ...) G_GNUC_PRINTF(2, 3);

static char *
reason_new(const CsDecodeReport *report, const char *format, ...)
{
    va_list ap;
    char *text;

    if (!report)
        return NULL;
    va_start(ap, format);
    text = g_strdup_vprintf(format, ap);
    va_end(ap);
    return text;
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

static char **
feature_names(const CsCpuMap *map, const GArray *idx)
{
    char **names = g_new0(char *, idx->len + 1);

    for (guint i = 0; i < idx->len; i++)
        names[i] = g_strdup(map->t.features[g_array_index(idx, guint16, i)].name);
    return names;
}

void
cs_x86_drop_broken_tsx(const CsCpuMap *map, int vendor, guint family, guint fmodel,
                       guint stepping, CsWord *vec)
{
    static const char *const tsx[] = { "hle", "rtm" };

    /* Intel's broken TSX: these CPUs report hle/rtm that must not be used */
    if (vendor < 0 || strcmp(map->t.vendors[vendor].name, "Intel") != 0 || family != 6 ||
        !((fmodel == 63 && stepping < 4) || fmodel == 60 || fmodel == 69 || fmodel == 70))
        return;
    for (guint i = 0; i < G_N_ELEMENTS(tsx); i++) {
        int k = canonical_feature(map, tsx[i]);

        if (k >= 0)
            cs_vec_del_feature(vec, &map->t.features[k]);
    }
    g_debug("dropping broken TSX of family %u model %u stepping %u", family, fmodel,
            stepping);
}

/* Family, model and stepping of leaf 1 (display values); 0 without leaf 1. */
static guint32
data_signature(const CsCpuidData *data, guint *out_family, guint *out_model,
               guint *out_stepping)
{
    const CsCpuidLeaf *leaf1 = cs_cpuid_data_get_leaf(data, 1, 0);
    guint32 signature;

    *out_family = *out_model = *out_stepping = 0;
    if (!leaf1)
        return 0;
    signature = leaf1->eax & SIGNATURE_MASK;
    *out_family = ((signature >> 20) & 0xff) + ((signature >> 8) & 0xf);
    *out_model = ((signature >> 12) & 0xf0) + ((signature >> 4) & 0xf);
    *out_stepping = signature & 0xf;
    return signature;
}

void
cs_x86_data_vec(const CsCpuMap *map, const CsCpuidData *data, CsWord *vec)
{
    guint family, fmodel, stepping;

    cs_cpu_map_project(map, data, vec);
    data_signature(data, &family, &fmodel, &stepping);
    cs_x86_drop_broken_tsx(map, cs_cpu_map_detect_vendor(map, data), family, fmodel,
                           stepping, vec);
}

CsCpuDef *
cs_x86_decode(const CsCpuMap *map, const CsCpuidData *data, const CsDecodeOptions *opts,
              GError **error)
{
    CsDecodeFlags flags = opts->flags;
    const char *const *allowed = opts->allowed;
    const char *const *preferred = opts->preferred;
    CsCpuFallback fallback = opts->fallback;
    CsDecodeReport **out_report = opts->out_report;
    gboolean guest = (flags & CS_DECODE_GUEST) != 0;
    g_autofree CsWord *vec = NULL;
    g_autofree guint64 *scratch = NULL;
    g_auto(Work) work = { 0 };
    guint n_sets = FEATSET_WORDS(map);
    guint32 signature;
    guint family = 0, fmodel = 0, stepping = 0;
    int vendor;
    Candidate best = { .model = -1 };
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsDecodeReport) report = NULL;
    int best_entry = -1;

    g_return_val_if_fail(map != NULL && data != NULL, NULL);

    if (out_report) {
        report = cs_decode_report_new();
    }

    vec = cs_vec_new(map);
    /* one block: four word vectors and two feature sets */
    scratch = g_new0(guint64, 2 * (map->t.n_words + 1) + 2 * n_sets);
    work.req = (CsWord *) scratch;
    work.dis = work.req + map->t.n_words + 1;
    work.missing = work.dis + map->t.n_words + 1;
    work.req_set = scratch + 2 * (map->t.n_words + 1);
    work.dis_set = work.req_set + n_sets;
    cs_cpu_map_project(map, data, vec);
    work.fi = &map->fi;
    vendor = cs_cpu_map_detect_vendor(map, data);
    signature = data_signature(data, &family, &fmodel, &stepping);

    cs_x86_drop_broken_tsx(map, vendor, family, fmodel, stepping, vec);

    for (guint w = 0; w < map->t.n_words; w++) {
        work.missing[w] = ~vec[w] & work.fi->single[w];
    }

    if (preferred && !preferred[0])
        preferred = NULL;

    for (int i = (int) map->t.n_models - 1; i >= 0; i--) {
        const CsMapModel *m = &map->t.models[i];
        const char *hv = NULL;
        Candidate c = { .model = -1 };
        CsDecodeEntry entry = { .model = m->name };
        gboolean use = FALSE, stop = FALSE, is_pref = FALSE;
        gboolean sig_cand = FALSE;

        entry.vendor = m->vendor >= 0 ? map->t.vendors[m->vendor].name : NULL;
        if (allowed && !(hv = find_allowed(allowed, m->name))) {
            if (preferred && !preferred[1] && strcmp(m->name, preferred[0]) == 0) {
                if (fallback != CS_CPU_FALLBACK_ALLOW) {
                    g_autofree char *shown = cs_shown(preferred[0]);

                    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                                "CPU model '%s' is not supported by the hypervisor",
                                shown);
                    candidate_clear(&best);
                    return NULL;
                }
                g_debug("preferred model %s not allowed; using the closest one",
                        preferred[0]);
            }
            if (report) {
                entry.status = CS_CANDIDATE_NOT_ALLOWED;
                entry.reason = g_strdup("not in the list of allowed models");
                g_array_append_val(report->entries, entry);
            }
            continue;
        }
        if (vendor >= 0 && m->vendor >= 0 && vendor != m->vendor) {
            if (report) {
                entry.status = CS_CANDIDATE_OTHER_VENDOR;
                entry.reason = g_strdup_printf("a %s model, the CPU is %s",
                                               map->t.vendors[m->vendor].name,
                                               map->t.vendors[vendor].name);
                g_array_append_val(report->entries, entry);
            }
            continue;
        }
        if (!report && ((guest && !m->decode_guest) || (!guest && !m->decode_host)))
            continue;

        build_candidate(map, vec, i, hv, guest, report != NULL, &work, &c);
        sig_cand = signature && cs_signature_match(m, family, fmodel, stepping);
        entry.sig_match = sig_cand;
        entry.n_extra = c.n_req;
        if (report)
            entry.missing = feature_names(map, c.dis);

        if ((guest && !m->decode_guest) || (!guest && !m->decode_host)) {
            entry.status = CS_CANDIDATE_NOT_FOR_TYPE;
            entry.reason = reason_new(report, "the map does not use it for %s CPUs",
                                           guest ? "guest" : "host");
        } else if (!guest && c.n_dis > 0) {
            entry.status = CS_CANDIDATE_MISSING;
            entry.reason = reason_new(report, "the CPU lacks %u of its features",
                                           c.n_dis);
        } else {
            const CsMapModel *cur = best.model >= 0 ? &map->t.models[best.model] : NULL;
            gboolean sig_cur = cur && signature &&
                               cs_signature_match(cur, family, fmodel, stepping);

            is_pref = preferred && strv_has(preferred, m->name);
            if (is_pref && !preferred[1]) {
                use = stop = TRUE;
                entry.reason = reason_new(report, "%s", "the preferred model");
            } else if (!cur) {
                use = TRUE;
                entry.reason = reason_new(report, "%s", "the first usable model");
            } else if (signature && sig_cur && !sig_cand) {
                entry.reason = reason_new(report, "its signatures do not match the CPU "
                                               "(family %u model %u), %s's do",
                                               family, fmodel, cur->name);
            } else if (signature && !sig_cur && sig_cand) {
                use = TRUE;
                entry.reason = reason_new(report, "its signature matches the CPU "
                                               "(family %u model %u)", family, fmodel);
            } else if (c.score < best.score ||
                       (c.score == best.score && c.penalty < best.penalty)) {
                use = TRUE;
                entry.reason = reason_new(report, "fewer listed features (%u) than %s (%u)",
                                               c.score, cur->name, best.score);
            } else if (is_pref && c.penalty < best.penalty) {
                use = TRUE;
                entry.reason = reason_new(report, "preferred, with fewer disabled features "
                                               "than %s", cur->name);
            } else {
                entry.reason = reason_new(report, "%u listed features, %s needs %u",
                                               c.score, cur->name, best.score);
            }
            entry.status = CS_CANDIDATE_WORSE;
        }

        if (report) {
            g_array_append_val(report->entries, entry);
            if (use) {
                if (best_entry >= 0) {
                    /* the former choice: say what replaced it */
                    CsDecodeEntry *old = CS_DECODE_ENTRY(report, best_entry);
                    char *why = g_strdup_printf("usable (%s), but %s was chosen instead",
                                                old->reason, m->name);

                    old->status = CS_CANDIDATE_WORSE;
                    g_free(old->reason);
                    old->reason = why;
                }
                best_entry = report->entries->len - 1;
                CS_DECODE_ENTRY(report, best_entry)->status = CS_CANDIDATE_CHOSEN;
            }
        } else {
            g_strfreev(entry.missing);
            g_free(entry.reason);
        }
        if (use) {
            candidate_clear(&best);
            best = c;
        } else {
            candidate_clear(&c);
        }
        if (stop) {
            if (report) {
                for (int k = i - 1; k >= 0; k--) {
                    CsDecodeEntry skip = { .model = map->t.models[k].name,
                                         .status = CS_CANDIDATE_NOT_REACHED };

                    skip.reason = g_strdup("not examined: the preferred model was found");
                    g_array_append_val(report->entries, skip);
                }
            }
            break;
        }
    }

    if (best.model < 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_NO_MODEL,
                    "cannot find a suitable CPU model for the given data");
        return NULL;
    }

    if (!best.req) {
        /* the winner's feature lists (the loop only counted them) */
        int model = best.model;
        const char *hv = best.hv;

        build_candidate(map, vec, model, hv, guest, TRUE, &work, &best);
    }
    def = cs_cpu_def_new(guest ? CS_CPU_TYPE_GUEST : CS_CPU_TYPE_HOST);
    if (guest) {
        def->mode = CS_CPU_MODE_CUSTOM;
        def->match = CS_CPU_MATCH_EXACT;
        def->fallback = CS_CPU_FALLBACK_FORBID;
    } else {
        def->arch = g_strdup("x86_64");
    }
    def->model = g_strdup(map->t.models[best.model].name);
    if (vendor >= 0)
        def->vendor = g_strdup(map->t.vendors[vendor].name);
    for (guint i = 0; i < best.req->len; i++) {
        guint16 f = g_array_index(best.req, guint16, i);

        if ((flags & CS_DECODE_MIGRATABLE) && !map->t.features[f].migratable)
            continue;
        cs_cpu_def_append_feature(def, map->t.features[f].name,
                                  guest ? CS_FEATURE_REQUIRE : CS_FEATURE_POLICY_NONE);
    }
    for (guint i = 0; i < best.dis->len; i++) {
        guint16 f = g_array_index(best.dis, guint16, i);

        if ((flags & CS_DECODE_MIGRATABLE) && !map->t.features[f].migratable)
            continue;
        cs_cpu_def_append_feature(def, map->t.features[f].name, CS_FEATURE_DISABLE);
    }
    def->sig_family = family;
    def->sig_model = fmodel;
    def->sig_stepping = stepping;
    candidate_clear(&best);

    if (report) {
        report->chosen = best_entry;
        *out_report = g_steal_pointer(&report);
    }
    return g_steal_pointer(&def);
}
