/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the fleet planner: from a builder's groups of hosts, the
 * baseline of the biggest group, the hosts that cannot join it, the sets
 * of hosts that hold it back (and what leaving them out gains) and the
 * hosts lacking each feature it disables. Hosts are CPUID bit vectors of
 * the map (the driver of CPUID data's vector baseline). */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "fleet/fleet-private.h"

/* Decoding the baseline without each dragger is bounded. */
#define MAX_DRAGGER_DECODES 2000

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
        const CsFleetHost *rec = &g_array_index(b->hosts, CsFleetHost, h);
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
    const CsHostClass *c = g_ptr_array_index(b->classes, ac->cls);

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
find_lack_sets(CsBaselineBuilder *b, const CsVecBaseline *a, const Stats *st)
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
    const CsModelCount *a = pa;
    const CsModelCount *b = pb;
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
    GArray *out = g_array_new(FALSE, FALSE, sizeof(CsModelCount));

    for (guint p = 0; f >= 0 && p < st->act->len; p++) {
        const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);

        if (!class_lacks(map, b, ac, f))
            continue;
        for (guint q = ac->pair; q < ac->pair + ac->n_pairs; q++) {
            const ClassModel *cm = &g_array_index(st->pairs, ClassModel, q);

            if (scratch[cm->model] == 0) {
                CsModelCount mc = { cm->model, 0 };

                g_array_append_val(out, mc);
            }
            scratch[cm->model] += cm->n;
        }
    }
    for (guint k = 0; k < out->len; k++) {
        CsModelCount *mc = &g_array_index(out, CsModelCount, k);

        mc->n = scratch[mc->model];
        scratch[mc->model] = 0;
    }
    g_array_sort_with_data(out, model_count_cmp, (gpointer) map);
    return out;
}

/* The baseline of the joined hosts outside set @ls. */
static void
dragger_compute(CsBaselineBuilder *b, const CsVecBaseline *a, const Stats *st,
                const LackSet *ls,
                const CsWord *base_vec, guint64 *in_set, CsDragger *d)
{
    /* @in_set: per map model, how many of these hosts have it (d->models) */
    const CsCpuMap *map = b->map;
    g_autofree CsWord *without = NULL;
    g_autofree const char **names = g_new0(const char *, a->names->len + 1);
    g_autofree CsWord *dv = NULL;
    g_autoptr(GError) error = NULL;
    guint k = 0;

    for (guint m = 0; m < d->models->len; m++) {
        const CsModelCount *mc = &g_array_index(d->models, CsModelCount, m);

        in_set[mc->model] = mc->n;
    }
    for (guint p = 0; p < st->act->len; p++) {
        const ActiveClass *ac = &g_array_index(st->act, ActiveClass, p);
        const CsHostClass *c = g_ptr_array_index(b->classes, ac->cls);

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
        in_set[g_array_index(d->models, CsModelCount, m).model] = 0;
    d->baseline = b->vec->decode(map, a, without, names, (const char *const *) b->allowed,
                                 b->flags, &error);
    if (d->baseline &&
        (dv = cs_cpu_def_to_vec(map, d->baseline, CS_VEC_ALL, NULL)) != NULL) {
        d->level = cs_psabi_names[cs_psabi_level_of_vec(map, &b->psabi, dv)];
        d->gains = vec_gains(map, dv, base_vec);
    } else {
        d->gains = vec_gains(map, without, a->vec);
    }
}

/* The sets of hosts that hold the baseline back: a single host, or a group
 * of at most half of the hosts that join, lacking what all others have;
 * smallest first. */
static GArray *
find_draggers(CsBaselineBuilder *b, const CsVecBaseline *a, const Stats *st,
              const CsWord *base_vec)
{
    const CsCpuMap *map = b->map;
    GArray *out = g_array_new(FALSE, TRUE, sizeof(CsDragger));
    g_autoptr(GArray) sets = NULL;
    g_autofree guint64 *in_set = NULL;
    guint decoded = 0;

    g_array_set_clear_func(out, cs_dragger_clear);
    if (st->joined < 2)
        return out;
    sets = find_lack_sets(b, a, st);
    in_set = g_new0(guint64, map->t.n_models);
    for (guint i = 0; i < sets->len; i++) {
        const LackSet *ls = &g_array_index(sets, LackSet, i);
        CsDragger d = { .feature = ls->feature, .n_hosts = ls->n_hosts,
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
    GArray *out = g_array_new(FALSE, TRUE, sizeof(CsDisabled));
    g_autofree guint64 *scratch = g_new0(guint64, map->t.n_models);

    g_array_set_clear_func(out, cs_disabled_clear);
    for (guint i = 0; i < base->features->len; i++) {
        const CsCpuFeature *cf = &g_array_index(base->features, CsCpuFeature, i);
        CsDisabled dis = { .feature = -1 };

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
    CsFleetGroup *chosen = NULL;
    guint chosen_idx = 0;
    g_autofree CsWord *bv = NULL;

    g_return_val_if_fail(b != NULL && b->plan, NULL);
    map = b->map;
    /* the biggest group of hosts naming a vendor; hosts naming none join it */
    for (guint g = 0; g < b->groups->len; g++) {
        CsFleetGroup *a = g_ptr_array_index(b->groups, g);
        gboolean better;

        if (!chosen)
            better = TRUE;
        else if ((a->key_vendor >= 0) != (chosen->key_vendor >= 0))
            better = a->key_vendor >= 0;
        else
            better = a->acc->n > chosen->acc->n;
        if (better) {
            chosen = a;
            chosen_idx = g;
        }
    }
    if (!chosen) {
        const CsFleetHost *first = NULL;

        /* say why, with the first host that was refused */
        for (guint i = 0; b->hosts && i < b->hosts->len && !first; i++) {
            const CsFleetHost *r = &g_array_index(b->hosts, CsFleetHost, i);

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
        CsFleetGroup *a = g_ptr_array_index(b->groups, g);

        if (g != chosen_idx && a->key_vendor < 0 && strcmp(a->arch, chosen->arch) == 0 &&
            a->acc->n > 0) {
            b->vec->merge(map, chosen->acc, a->acc);
            a->acc->n = 0;
            for (guint h = 0; h < b->hosts->len; h++) {
                CsFleetHost *rec = &g_array_index(b->hosts, CsFleetHost, h);

                if (rec->status == CS_HOST_JOINED && rec->group == g)
                    rec->group = chosen_idx;
            }
        }
    }

    plan = g_new0(CsFleetPlan, 1);
    plan->map = map;
    if (!(plan->baseline = b->vec->decode(map, chosen->acc, chosen->acc->vec, NULL,
                                          (const char *const *) b->allowed, b->flags,
                                          error)))
        return NULL;
    if ((bv = cs_cpu_def_to_vec(map, plan->baseline, CS_VEC_ALL, error)) == NULL)
        return NULL;
    plan->level = cs_psabi_names[cs_psabi_level_of_vec(map, &b->psabi, bv)];
    plan->arch = g_strdup(chosen->arch);
    plan->vendor = chosen->acc->vendor >= 0 ?
                   g_strdup(map->t.vendors[chosen->acc->vendor].name) : NULL;
    for (guint h = 0; h < b->hosts->len; h++) {
        CsFleetHost *rec = &g_array_index(b->hosts, CsFleetHost, h);
        const CsFleetGroup *a;
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
        plan->draggers = find_draggers(b, chosen->acc, &st, bv);
        plan->disabled = find_disabled(b, plan->baseline, &st);
        stats_clear(&st);
    }
    plan->n_hosts = b->hosts->len;
    plan->hosts = g_memdup2(b->hosts->data, sizeof(CsFleetHost) * b->hosts->len);
    /* the strings move to the plan; the builder starts a fresh chunk */
    plan->strings = b->strings;
    b->strings = g_string_chunk_new(4096);
    plan->classes = b->classes;
    b->classes = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_remove_all(b->class_ids);
    g_array_set_size(b->hosts, 0);
    return g_steal_pointer(&plan);
}
