/* libcpusel: CsCpuMap, an immutable refcounted CPU map */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "cpu-map-private.h"
#include "cpuid-data-private.h"

CsCpuMap *
cs_cpu_map_new_builtin(void)
{
    CsCpuMap *map = g_new0(CsCpuMap, 1);

    map->refcount = 1;
    map->source = g_strdup("built-in");
    map->t = cs_builtin_map_tables;
    cs_cpu_map_finish(map);
    return map;
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
    g_free(map->bit_off);
    g_free(map->bit_feat);
    g_free(map->empty_feats);
    if (map->owned && map->owned_free)
        map->owned_free(map->owned);
    g_free(map->source);
    g_free(map);
}

void
cs_cpu_map_finish(CsCpuMap *map)
{
    guint nbits = map->t.n_words * 32;
    guint total = 0;
    gboolean dups = FALSE;
    guint32 *fill;

    /* loops walk the set bits of each mask only (a map has a few hundred) */
    map->bit_off = g_new0(guint32, nbits + 1);
    map->empty_feats = g_new0(guint16, map->t.n_features + 1);
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *feat = &map->t.features[f];
        gboolean any = FALSE;

        for (guint p = 0; p < feat->n_parts; p++) {
            guint32 bits = feat->parts[p].mask;

            while (bits) {
                guint b = __builtin_ctz(bits);

                bits &= bits - 1;
                map->bit_off[feat->parts[p].word * 32 + b + 1]++;
                total++;
                any = TRUE;
            }
        }
        if (!any)
            map->empty_feats[map->n_empty++] = f;
    }
    for (guint b = 0; b < nbits; b++)
        map->bit_off[b + 1] += map->bit_off[b];
    map->bit_feat = g_new0(guint16, total + 1);
    fill = g_memdup2(map->bit_off, sizeof(guint32) * (nbits + 1));
    for (guint f = 0; f < map->t.n_features; f++) {
        const CsMapFeature *feat = &map->t.features[f];

        for (guint p = 0; p < feat->n_parts; p++) {
            guint32 bits = feat->parts[p].mask;

            while (bits) {
                guint bit = feat->parts[p].word * 32 + __builtin_ctz(bits);

                bits &= bits - 1;
                /* a feature listing the same bit twice appears once */
                if (fill[bit] > map->bit_off[bit] && map->bit_feat[fill[bit] - 1] == f) {
                    dups = TRUE;
                    continue;
                }
                map->bit_feat[fill[bit]++] = f;
            }
        }
    }
    /* compact duplicates away: keep [off, fill) ranges (without duplicates
     * the ranges are already dense) */
    if (dups) {
        for (guint b = 0, out = 0; b < nbits; b++) {
            guint start = map->bit_off[b];

            map->bit_off[b] = out;
            for (guint k = start; k < fill[b]; k++)
                map->bit_feat[out++] = map->bit_feat[k];
            if (b + 1 == nbits)
                map->bit_off[nbits] = out;
        }
    }
    if (nbits == 0)
        map->bit_off[0] = 0;
    g_free(fill);
}

const char *
cs_cpu_map_get_source(const CsCpuMap *map)
{
    g_return_val_if_fail(map != NULL, NULL);
    return map->source;
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

static int
name_index_cmp(const void *key, const void *elem)
{
    return strcmp((const char *) key, ((const CsNameIndex *) elem)->name);
}

static int
lookup_name(const CsNameIndex *index, guint n, const char *name)
{
    const CsNameIndex *e;

    if (!name)
        return -1;
    e = bsearch(name, index, n, sizeof(CsNameIndex), name_index_cmp);
    return e ? (int) e->index : -1;
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
    return lookup_name(map->t.feature_names, map->t.n_feature_names, name);
}

int
cs_cpu_map_lookup_model(const CsCpuMap *map, const char *name)
{
    g_return_val_if_fail(map != NULL, -1);
    return lookup_name(map->t.model_names, map->t.n_model_names, name);
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
