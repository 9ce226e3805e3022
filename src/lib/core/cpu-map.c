/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCpuMap, an immutable refcounted CPU map */
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-cpu-def.h>
#include "cpu-map-private.h"
#include "cpuid-data-private.h"

CsCpuMap *
cs_cpu_map_new_builtin(void)
{
    CsCpuMap *map = g_new0(CsCpuMap, 1);

    map->refcount = 1;
    map->source = g_strdup("built-in");
    map->t = cs_builtin_map_tables;
    /* the derived tables are generated with the map */
    map->bit_off = cs_builtin_map_derived.bit_off;
    map->bit_feat = cs_builtin_map_derived.bit_feat;
    map->n_empty = cs_builtin_map_derived.n_empty;
    map->empty_feats = cs_builtin_map_derived.empty_feats;
    map->fi = cs_builtin_map_derived.fi;
    map->feature_hash_mask = cs_builtin_map_derived.feature_hash_mask;
    map->feature_hash = cs_builtin_map_derived.feature_hash;
    map->model_hash_mask = cs_builtin_map_derived.model_hash_mask;
    map->model_hash = cs_builtin_map_derived.model_hash;
    return map;
}

guint
cs_cpu_map_get_format_flags(const CsCpuMap *map)
{
    g_return_val_if_fail(map != NULL, 0);
    for (guint i = 0; i < map->t.n_models; i++) {
        if (map->t.models[i].n_added)
            return CS_FORMAT_TOPOLOGY_CLUSTERS;
    }
    return CS_FORMAT_DEFAULT;
}

CsCpuMap *
cs_cpu_map_ref(CsCpuMap *map)
{
    g_return_val_if_fail(map != NULL, NULL);
    g_atomic_int_inc(&map->refcount);
    return map;
}

void
cs_cpu_map_unref(CsCpuMap *map)
{
    if (!map)
        return;
    if (!g_atomic_int_dec_and_test(&map->refcount))
        return;
    if (map->derived)
        g_ptr_array_unref(map->derived);
    if (map->owned && map->owned_free)
        map->owned_free(map->owned);
    g_free(map->source);
    g_free(map);
}

static gpointer
keep(CsCpuMap *map, gpointer p)
{
    g_ptr_array_add(map->derived, p);
    return p;
}

static guint
bits_in(guint32 x)
{
    return __builtin_popcount(x);
}

static const guint16 *build_hash(CsCpuMap *map, const CsNameIndex *index, guint n,
                                 guint *out_mask);

void
cs_cpu_map_finish(CsCpuMap *map)
{
    guint nbits = map->t.n_words * 32;
    guint total = 0;
    guint32 *off;
    guint32 *fill;
    guint16 *feat;
    guint16 *empty;
    guint32 *single;
    guint16 *multi;
    guint16 *shared;
    guint8 *cls;

    map->derived = g_ptr_array_new_with_free_func(g_free);
    off = keep(map, g_new0(guint32, nbits + 2));
    empty = keep(map, g_new0(guint16, map->t.n_features + 1));
    map->n_empty = 0;
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *ft = &map->t.features[f];
        guint n = 0;

        for (guint p = 0; p < ft->n_parts; p++) {
            for (guint32 bits = ft->parts[p].mask; bits; bits &= bits - 1) {
                off[ft->parts[p].word * 32 + __builtin_ctz(bits) + 1]++;
                n++;
            }
        }
        total += n;
        if (!n)
            empty[map->n_empty++] = f;
    }
    for (guint b = 0; b < nbits; b++)
        off[b + 1] += off[b];
    feat = keep(map, g_new0(guint16, total + 1));
    fill = g_memdup2(off, sizeof(guint32) * (nbits + 1));
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *ft = &map->t.features[f];

        for (guint p = 0; p < ft->n_parts; p++) {
            for (guint32 bits = ft->parts[p].mask; bits; bits &= bits - 1) {
                guint bit = ft->parts[p].word * 32 + __builtin_ctz(bits);

                /* a feature naming the same bit twice is listed once */
                if (fill[bit] > off[bit] && feat[fill[bit] - 1] == f)
                    continue;
                feat[fill[bit]++] = f;
            }
        }
    }
    /* drop the room of duplicates: ranges become [off, fill) compacted */
    for (guint b = 0, out = 0; b < nbits; b++) {
        guint start = off[b];

        off[b] = out;
        for (guint k = start; k < fill[b]; k++)
            feat[out++] = feat[k];
        if (b + 1 == nbits)
            off[nbits] = out;
    }
    g_free(fill);
    map->bit_off = off;
    map->bit_feat = feat;
    map->empty_feats = empty;

    single = keep(map, g_new0(guint32, map->t.n_words + 1));
    multi = keep(map, g_new0(guint16, map->t.n_features + 1));
    shared = keep(map, g_new0(guint16, map->t.n_features + 1));
    cls = keep(map, g_new0(guint8, map->t.n_features + 1));
    map->fi = (CsFeatIndex) { .single = single, .multi = multi, .shared = shared,
                              .cls = cls };
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *ft = &map->t.features[f];
        guint n = 0;
        gboolean is_shared = FALSE;

        for (guint p = 0; p < ft->n_parts; p++) {
            n += bits_in(ft->parts[p].mask);
            for (guint32 bits = ft->parts[p].mask; bits && !is_shared; bits &= bits - 1) {
                guint bit = ft->parts[p].word * 32 + __builtin_ctz(bits);

                is_shared = off[bit + 1] - off[bit] > 1;
            }
        }
        if (n == 0) {
            cls[f] = CS_FEAT_EMPTY;
            map->fi.n_empty++;
        } else if (is_shared) {
            cls[f] = CS_FEAT_SHARED;
            shared[map->fi.n_shared++] = f;
        } else if (n == 1 && ft->n_parts == 1) {
            cls[f] = CS_FEAT_SINGLE;
            single[ft->parts[0].word] |= ft->parts[0].mask;
        } else {
            cls[f] = CS_FEAT_MULTI;
            multi[map->fi.n_multi++] = f;
        }
    }
    map->feature_hash = build_hash(map, map->t.feature_names, map->t.n_feature_names,
                                   &map->feature_hash_mask);
    map->model_hash = build_hash(map, map->t.model_names, map->t.n_model_names,
                                 &map->model_hash_mask);
}

const char *
cs_cpu_map_get_source(const CsCpuMap *map)
{
    g_return_val_if_fail(map != NULL, NULL);
    return map->source;
}

const char *
cs_cpu_map_get_identity(const CsCpuMap *map)
{
    g_return_val_if_fail(map != NULL, NULL);
    return map->t.identity;
}

guint
cs_cpu_map_get_n_vendors(const CsCpuMap *map)
{
    return map->t.n_vendors;
}

guint
cs_cpu_map_get_n_features(const CsCpuMap *map)
{
    return map->t.n_features;
}

guint
cs_cpu_map_get_n_models(const CsCpuMap *map)
{
    return map->t.n_models;
}

/* Slots of a name hash for @n names: a power of two at least twice @n. */
static guint
hash_size(guint n)
{
    guint size = 16;

    while (size < 2 * n)
        size *= 2;
    return size;
}

static const guint16 *
build_hash(CsCpuMap *map, const CsNameIndex *index, guint n, guint *out_mask)
{
    guint size = hash_size(n);
    guint16 *slots = keep(map, g_new0(guint16, size));

    for (guint i = 0; i < n; i++) {
        guint h = cs_name_hash(index[i].name) & (size - 1);

        while (slots[h])
            h = (h + 1) & (size - 1);
        slots[h] = i + 1;
    }
    *out_mask = size - 1;
    return slots;
}

static int
lookup_name(const CsNameIndex *index, const guint16 *slots, guint mask, const char *name)
{
    if (!name)
        return -1;
    for (guint h = cs_name_hash(name) & mask; slots[h]; h = (h + 1) & mask) {
        const CsNameIndex *e = &index[slots[h] - 1];

        if (strcmp(e->name, name) == 0)
            return e->index;
    }
    return -1;
}

int
cs_cpu_map_lookup_vendor(const CsCpuMap *map, const char *name)
{
    g_return_val_if_fail(map != NULL, -1);
    if (!name)
        return -1;
    for (guint i = 0; i < map->t.n_vendors; i++) {
        if (strcmp(map->t.vendors[i].name, name) == 0)
            return i;
    }
    return -1;
}

int
cs_cpu_map_lookup_feature(const CsCpuMap *map, const char *name)
{
    g_return_val_if_fail(map != NULL, -1);
    return lookup_name(map->t.feature_names, map->feature_hash, map->feature_hash_mask,
                       name);
}

int
cs_cpu_map_lookup_model(const CsCpuMap *map, const char *name)
{
    g_return_val_if_fail(map != NULL, -1);
    return lookup_name(map->t.model_names, map->model_hash, map->model_hash_mask, name);
}

const char *
cs_cpu_map_vendor_name(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_vendors, NULL);
    return map->t.vendors[i].name;
}

const char *
cs_cpu_map_vendor_string(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_vendors, NULL);
    return map->t.vendors[i].string;
}

const char *
cs_cpu_map_feature_name(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_features, NULL);
    return map->t.features[i].name;
}

gboolean
cs_cpu_map_feature_migratable(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_features, FALSE);
    return map->t.features[i].migratable;
}

const char *const *
cs_cpu_map_feature_aliases(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_features, NULL);
    return map->t.features[i].aliases;
}

CsCpuidData *
cs_cpu_map_feature_data(const CsCpuMap *map, guint i)
{
    g_autofree CsWord *vec = NULL;

    g_return_val_if_fail(map != NULL && i < map->t.n_features, NULL);
    vec = g_new0(CsWord, map->t.n_words + 1);
    cs_vec_add_feature(vec, &map->t.features[i]);
    return cs_cpu_map_vec_to_data(map, vec);
}

const char *
cs_cpu_map_model_name(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_models, NULL);
    return map->t.models[i].name;
}

const char *
cs_cpu_map_model_vendor(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_models, NULL);
    if (map->t.models[i].vendor < 0)
        return NULL;
    return map->t.vendors[map->t.models[i].vendor].name;
}

gboolean
cs_cpu_map_model_decode_host(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_models, FALSE);
    return map->t.models[i].decode_host;
}

gboolean
cs_cpu_map_model_decode_guest(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_models, FALSE);
    return map->t.models[i].decode_guest;
}

const char *
cs_cpu_map_model_alias_of(const CsCpuMap *map, guint i)
{
    g_return_val_if_fail(map != NULL && i < map->t.n_models, NULL);
    return map->t.models[i].alias_of;
}

/* ---- Model versions ------------------------------------------------------ */

/* BASE of a model named BASE-vN when BASE is a model of @map (-1 if not). */
static int
versioned_base(const CsCpuMap *map, const char *name, guint *out_version)
{
    const char *v = strrchr(name, '-');
    g_autofree char *base = NULL;
    guint64 n = 0;

    if (!v || v == name || v[1] != 'v' || !g_ascii_isdigit(v[2]))
        return -1;
    for (const char *p = v + 2; *p; p++) {
        if (!g_ascii_isdigit(*p) || n > G_MAXUINT / 10)
            return -1;
        n = n * 10 + (*p - '0');
    }
    base = g_strndup(name, v - name);
    *out_version = (guint) n;
    return cs_cpu_map_lookup_model(map, base);
}

int
cs_cpu_map_model_version(const CsCpuMap *map, guint i, guint *out_version)
{
    const char *name;
    int family = -1;
    guint version = 0;

    g_return_val_if_fail(map != NULL && i < map->t.n_models, -1);
    name = map->t.models[i].name;
    if ((family = versioned_base(map, name, &version)) < 0) {
        for (guint j = 0; j < map->t.n_models; j++) {
            const CsMapModel *m = &map->t.models[j];
            guint vj = 0;
            int fj;

            if (!m->alias_of || strcmp(m->alias_of, name) != 0 ||
                (fj = versioned_base(map, m->name, &vj)) < 0)
                continue;
            if (family < 0 || vj < version) {
                family = fj;
                version = vj;
            }
        }
    }
    if (family >= 0 && out_version)
        *out_version = version;
    return family;
}

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const model_relation_names[] = { CS_MODEL_RELATIONS(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_model_relation_to_string(CsModelRelation relation)
{
    return (guint) relation < G_N_ELEMENTS(model_relation_names) ?
           model_relation_names[relation] : NULL;
}

/* Whether following alias_of from @from reaches @to. */
static gboolean
alias_reaches(const CsCpuMap *map, guint from, guint to)
{
    guint at = from;

    for (guint steps = 0; steps < map->t.n_models; steps++) {
        const char *up = map->t.models[at].alias_of;
        int next;

        if (!up || (next = cs_cpu_map_lookup_model(map, up)) < 0)
            return FALSE;
        if ((guint) next == to)
            return TRUE;
        at = next;
    }
    return FALSE;
}

CsModelRelation
cs_cpu_map_model_relation(const CsCpuMap *map, guint a, guint b, int *out_family)
{
    int fa, fb;

    g_return_val_if_fail(map != NULL && a < map->t.n_models && b < map->t.n_models,
                         CS_MODEL_UNRELATED);
    if (out_family)
        *out_family = -1;
    if (a == b)
        return CS_MODEL_SAME;
    if (alias_reaches(map, a, b))
        return CS_MODEL_VERSION_OF;
    if (alias_reaches(map, b, a))
        return CS_MODEL_HAS_VERSION;
    fa = cs_cpu_map_model_version(map, a, NULL);
    fb = cs_cpu_map_model_version(map, b, NULL);
    if (fa < 0 || fa != fb)
        return CS_MODEL_UNRELATED;
    if (out_family)
        *out_family = fa;
    /* Haswell-noTSX (Haswell-v2) is a version of Haswell (Haswell-v1) */
    if ((guint) fb == b)
        return CS_MODEL_VERSION_OF;
    if ((guint) fa == a)
        return CS_MODEL_HAS_VERSION;
    return CS_MODEL_SIBLINGS;
}

char **
cs_cpu_map_model_features(const CsCpuMap *map, guint i)
{
    GPtrArray *names;
    const CsMapModel *m;

    g_return_val_if_fail(map != NULL && i < map->t.n_models, NULL);
    m = &map->t.models[i];
    names = g_ptr_array_new();
    for (guint f = 0; f < map->t.n_features; f++) {
        if (cs_vec_has_feature(m->vec, &map->t.features[f]))
            g_ptr_array_add(names, g_strdup(map->t.features[f].name));
    }
    g_ptr_array_add(names, NULL);
    return (char **) g_ptr_array_free(names, FALSE);
}

char *cs_steppings_format(guint16 steppings);

char *
cs_steppings_format(guint16 steppings)
{
    GString *s = g_string_new(NULL);

    for (guint b = 0; b < 16; b++) {
        guint e = b;

        if (!(steppings & (1u << b)))
            continue;
        while (e + 1 < 16 && (steppings & (1u << (e + 1))))
            e++;
        if (s->len)
            g_string_append_c(s, ',');
        if (e == b)
            g_string_append_printf(s, "%u", b);
        else
            g_string_append_printf(s, "%u-%u", b, e);
        b = e;
    }
    return g_string_free(s, FALSE);
}

char **
cs_cpu_map_model_signatures(const CsCpuMap *map, guint i)
{
    GPtrArray *sigs;
    const CsMapModel *m;

    g_return_val_if_fail(map != NULL && i < map->t.n_models, NULL);
    m = &map->t.models[i];
    sigs = g_ptr_array_new();
    for (guint s = 0; s < m->n_signatures; s++) {
        const CsSignature *sig = &m->signatures[s];

        if (sig->steppings == 0xffff) {
            g_ptr_array_add(sigs, g_strdup_printf("%u/%u", sig->family, sig->model));
        } else {
            g_autofree char *st = cs_steppings_format(sig->steppings);

            g_ptr_array_add(sigs, g_strdup_printf("%u/%u/%s", sig->family,
                                                  sig->model, st));
        }
    }
    g_ptr_array_add(sigs, NULL);
    return (char **) g_ptr_array_free(sigs, FALSE);
}

void
cs_cpu_map_project(const CsCpuMap *map, const CsCpuidData *data, CsWord *out_vec)
{
    const CsCpuidLeaf *leaf = NULL;
    const CsMsr *msr = NULL;
    guint32 cur_leaf = 0, cur_sub = 0;
    int cur_kind = -1;

    for (guint w = 0; w < map->t.n_words; w++) {
        const CsWordKey *k = &map->t.words[w];

        if (k->kind != cur_kind || k->leaf != cur_leaf || k->subleaf != cur_sub) {
            cur_kind = k->kind;
            cur_leaf = k->leaf;
            cur_sub = k->subleaf;
            if (k->kind == CS_WORD_CPUID)
                leaf = cs_cpuid_data_get_leaf(data, k->leaf, k->subleaf);
            else
                msr = cs_cpuid_data_get_msr(data, k->leaf);
        }
        if (k->kind == CS_WORD_CPUID) {
            out_vec[w] = !leaf ? 0 :
                         k->reg == 0 ? leaf->eax :
                         k->reg == 1 ? leaf->ebx :
                         k->reg == 2 ? leaf->ecx : leaf->edx;
        } else {
            out_vec[w] = !msr ? 0 : (k->reg == 0 ? msr->eax : msr->edx);
        }
    }
}

CsCpuidData *
cs_cpu_map_vec_to_data(const CsCpuMap *map, const CsWord *vec)
{
    CsCpuidData *data = cs_cpuid_data_new();

    for (guint w = 0; w < map->t.n_words; w++) {
        const CsWordKey *k = &map->t.words[w];

        if (!vec[w])
            continue;
        if (k->kind == CS_WORD_CPUID) {
            CsCpuidLeaf l = { .eax_in = k->leaf, .ecx_in = k->subleaf };

            switch (k->reg) {
            case 0: l.eax = vec[w]; break;
            case 1: l.ebx = vec[w]; break;
            case 2: l.ecx = vec[w]; break;
            default: l.edx = vec[w]; break;
            }
            cs_cpuid_data_add_leaf(data, &l);
        } else {
            CsMsr m = { .index = k->leaf };

            if (k->reg == 0)
                m.eax = vec[w];
            else
                m.edx = vec[w];
            cs_cpuid_data_add_msr(data, &m);
        }
    }
    return data;
}

int
cs_cpu_map_detect_vendor(const CsCpuMap *map, const CsCpuidData *data)
{
    const CsCpuidLeaf *l0 = cs_cpuid_data_get_leaf(data, 0, 0);

    if (!l0)
        return -1;
    for (guint i = 0; i < map->t.n_vendors; i++) {
        const CsMapVendor *v = &map->t.vendors[i];

        if ((l0->ebx & v->ebx) == v->ebx && (l0->ecx & v->ecx) == v->ecx &&
            (l0->edx & v->edx) == v->edx)
            return i;
    }
    return -1;
}

gboolean
cs_signature_match(const CsMapModel *model, guint family, guint fmodel,
                   guint stepping)
{
    for (guint i = 0; i < model->n_signatures; i++) {
        const CsSignature *s = &model->signatures[i];

        if (s->family == family && s->model == fmodel &&
            (s->steppings & (1u << (stepping & 0xf))))
            return TRUE;
    }
    return FALSE;
}
