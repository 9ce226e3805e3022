/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CPU map internals (never installed)
 *
 * A map is a set of tables. Every CPUID/MSR register word that some feature
 * or model refers to gets an index; features and models are then dense bit
 * vectors of map->n_words 32-bit words, so every set operation is a loop over
 * a few dozen words. The built-in map's tables are generated at build time
 * (tools/gen-cpu-map.py -> cpu-map-builtin.c) and used in place; a libvirt
 * cpu_map directory is parsed into the same tables at run time.
 */
#pragma once

#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpuid.h>
#include "name-hash.h"

typedef enum {
    CS_WORD_CPUID = 0,
    CS_WORD_MSR = 1,
} CsWordKind;

/* Register of a word: CPUID eax=0 ebx=1 ecx=2 edx=3; MSR eax=0 edx=3. */
typedef struct {
    guint8 kind;        /* CsWordKind */
    guint8 reg;
    guint32 leaf;       /* CPUID eax_in, or MSR index */
    guint32 subleaf;    /* CPUID ecx_in (0 for MSR) */
} CsWordKey;

/* One piece of a feature: all bits of @mask in word @word. */
typedef struct {
    guint16 word;
    guint32 mask;
} CsFeaturePart;

typedef struct {
    const char *name;
    const char *string;         /* the 12-character CPUID leaf 0 string */
    guint32 ebx, ecx, edx;      /* leaf 0 registers of that string */
} CsMapVendor;

typedef struct {
    const char *name;
    gboolean migratable;
    const char *const *aliases; /* NULL-terminated; never NULL */
    guint n_parts;
    const CsFeaturePart *parts;
} CsMapFeature;

typedef struct {
    guint family;
    guint model;
    guint16 steppings;          /* bit n set: stepping n matches; 0xffff = any */
} CsSignature;

typedef struct {
    const char *name;
    int vendor;                 /* index into vendors, -1 for none */
    gboolean decode_host;
    gboolean decode_guest;
    const char *alias_of;       /* model it is a version/alias of, or NULL */
    guint n_signatures;
    const CsSignature *signatures;
    const guint32 *vec;         /* n_words words */
    guint n_removed;
    const guint16 *removed;     /* feature indices the model lost */
    guint n_added;
    const guint16 *added;       /* model features added to it later (ascending):
                                 * a guest of the model that does not list them
                                 * gets them only where the host has them */
} CsMapModel;

/* Name index entry; tables of these are sorted by strcmp(name). */
typedef struct {
    const char *name;
    guint16 index;
} CsNameIndex;

typedef struct {
    const char *identity;       /* the libvirt release whose map's facts these
                                 * are ("libvirt 12.8.0"), or NULL if unknown */
    guint n_words;
    const CsWordKey *words;
    guint n_vendors;
    const CsMapVendor *vendors;
    guint n_features;
    const CsMapFeature *features;
    guint n_models;
    const CsMapModel *models;
    guint n_feature_names;      /* canonical names and aliases */
    const CsNameIndex *feature_names;
    guint n_model_names;
    const CsNameIndex *model_names;
} CsMapTables;

/* How decoding counts a feature's presence without libvirt's greedy walk. */
typedef enum {
    CS_FEAT_EMPTY,      /* no bits: always taken */
    CS_FEAT_SINGLE,     /* one bit that no other feature has */
    CS_FEAT_MULTI,      /* several bits that no other feature has */
    CS_FEAT_SHARED,     /* shares a bit with another feature: greedy walk */
} CsFeatClass;

/* The map's features by class. Only shared features depend on the order of
 * the walk, so a count is a popcount plus a short walk over the shared ones. */
typedef struct {
    const guint32 *single;      /* n_words: the bits of CS_FEAT_SINGLE features */
    const guint16 *multi;       /* CS_FEAT_MULTI features, ascending */
    guint n_multi;
    const guint16 *shared;      /* CS_FEAT_SHARED features, ascending */
    guint n_shared;
    const guint8 *cls;          /* CsFeatClass of each feature */
    guint n_empty;
} CsFeatIndex;

/* Derived tables the generator may precompute for the built-in map. */
typedef struct {
    const guint32 *bit_off;     /* n_words * 32 + 1 */
    const guint16 *bit_feat;
    guint n_empty;
    const guint16 *empty_feats;
    CsFeatIndex fi;
    /* Open-addressing hash tables of the name indexes: slot = FNV-1a(name)
     * & mask, then the next slots; a slot holds 1 + the position in
     * feature_names / model_names, 0 when empty. */
    guint feature_hash_mask;
    const guint16 *feature_hash;
    guint model_hash_mask;
    const guint16 *model_hash;
} CsMapDerived;


/* The generated derived tables of the built-in map. */
extern const CsMapDerived cs_builtin_map_derived;

struct _CsCpuMap {
    gint refcount;
    char *source;
    CsMapTables t;
    gpointer owned;             /* storage of a loaded map (NULL if built-in) */
    GDestroyNotify owned_free;
    /* Derived at construction: for each bit (word * 32 + bit), the features
     * having that bit, ascending: bit_feat[bit_off[b] .. bit_off[b + 1]). */
    const guint32 *bit_off;
    const guint16 *bit_feat;
    guint n_empty;              /* features without any bit (always match) */
    const guint16 *empty_feats;
    CsFeatIndex fi;
    guint feature_hash_mask;
    const guint16 *feature_hash;
    guint model_hash_mask;
    const guint16 *model_hash;
    GPtrArray *derived;         /* storage of the above when computed */
};

/* Builds the derived indexes of @map (called by every constructor). */
void cs_cpu_map_finish(CsCpuMap *map);

/* The generated built-in tables. */
extern const CsMapTables cs_builtin_map_tables;

/* Bit vectors over a map's words. */
typedef guint32 CsWord;

static inline gboolean
cs_vec_has_feature(const CsWord *vec, const CsMapFeature *f)
{
    for (guint i = 0; i < f->n_parts; i++) {
        if ((vec[f->parts[i].word] & f->parts[i].mask) != f->parts[i].mask)
            return FALSE;
    }
    return TRUE;
}

static inline void
cs_vec_add_feature(CsWord *vec, const CsMapFeature *f)
{
    for (guint i = 0; i < f->n_parts; i++)
        vec[f->parts[i].word] |= f->parts[i].mask;
}

static inline void
cs_vec_del_feature(CsWord *vec, const CsMapFeature *f)
{
    for (guint i = 0; i < f->n_parts; i++)
        vec[f->parts[i].word] &= ~f->parts[i].mask;
}

/* Projects raw data onto @map's words into @out_vec (n_words words). */
void cs_cpu_map_project(const CsCpuMap *map, const CsCpuidData *data, CsWord *out_vec);
/* Returns: (transfer full) raw data holding the bits of @vec. */
CsCpuidData *cs_cpu_map_vec_to_data(const CsCpuMap *map, const CsWord *vec);
/* Vendor index detected in raw data (leaf 0), or -1. */
int cs_cpu_map_detect_vendor(const CsCpuMap *map, const CsCpuidData *data);
gboolean cs_signature_match(const CsMapModel *model, guint family, guint fmodel,
                            guint stepping);

/* cs_cpu_map_lookup_feature() inlined for the hot paths (compare resolves
 * every feature name of two definitions on each call), with the name's
 * cs_name_hash() already known. */
static inline int
cs_map_find_feature_hashed(const CsCpuMap *map, const char *name, guint32 hash)
{
    for (guint slot = hash & map->feature_hash_mask; map->feature_hash[slot];
         slot = (slot + 1) & map->feature_hash_mask) {
        const CsNameIndex *e = &map->t.feature_names[map->feature_hash[slot] - 1];
        const unsigned char *a = (const unsigned char *) e->name;
        const unsigned char *b = (const unsigned char *) name;

        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b)
            return e->index;
    }
    return -1;
}

static inline int
cs_map_find_feature(const CsCpuMap *map, const char *name)
{
    return cs_map_find_feature_hashed(map, name, cs_name_hash(name));
}
