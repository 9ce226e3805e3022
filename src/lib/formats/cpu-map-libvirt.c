/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: loads a libvirt cpu_map directory into CsCpuMap tables
 *
 * Why this file is long (~810 lines): one loader, in the order it runs:
 * the index and the files it includes, vendors, features, models (with
 * the models they are based on), then the tables, each step reading what
 * the one before built. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include "core/cpu-map-private.h"
#include "core/cpuid-data-private.h"
#include "core/error-private.h"
#include "formats/input-private.h"
#include "xml-util.h"

gboolean cs_cpuid_data_parse_items(const xmlNode *node, CsCpuidData *data,
                                   const char *source, GError **error);

/* Parsed before the word table is known. */
typedef struct {
    char *name;
    gboolean migratable;
    GPtrArray *aliases;
    CsCpuidData *data;
} RawFeature;

typedef struct {
    char *name;
    int vendor;
    gboolean decode_host, decode_guest;
    char *ancestor;
    GArray *signatures;     /* CsSignature */
    GArray *features;       /* guint16 feature indices (added) */
    GArray *removed;        /* guint16 */
    GArray *added;          /* guint16: its own features added='yes' (also in
                             * @features; not inherited by models based on it) */
} RawModel;

typedef struct {
    char *dir;              /* as given (for messages and the map's source) */
    char *root;             /* resolved: every file read must be inside */
    guint64 limit;          /* the input size limit, for all files together */
    guint64 left;           /* what is left of it */
    GPtrArray *vendors;     /* CsMapVendor* (strings owned by chunk) */
    GPtrArray *features;    /* RawFeature* */
    GPtrArray *models;      /* RawModel* */
    GHashTable *feature_by_name;    /* name -> index+1 (canonical only) */
    GHashTable *model_by_name;
    GStringChunk *strings;
} Loader;

/* Storage of a loaded map. */
typedef struct {
    GStringChunk *strings;
    CsWordKey *words;
    CsMapVendor *vendors;
    CsMapFeature *features;
    CsFeaturePart *parts;
    const char **aliases;
    CsMapModel *models;
    CsSignature *signatures;
    guint32 *vecs;
    guint16 *removed;
    guint16 *added;
    CsNameIndex *feature_names;
    CsNameIndex *model_names;
} Owned;

static void
owned_free(gpointer p)
{
    Owned *o = p;

    g_string_chunk_free(o->strings);
    g_free(o->words);
    g_free(o->vendors);
    g_free(o->features);
    g_free(o->parts);
    g_free(o->aliases);
    g_free(o->models);
    g_free(o->signatures);
    g_free(o->vecs);
    g_free(o->removed);
    g_free(o->added);
    g_free(o->feature_names);
    g_free(o->model_names);
    g_free(o);
}

static void
raw_feature_free(gpointer p)
{
    RawFeature *f = p;

    g_free(f->name);
    g_ptr_array_unref(f->aliases);
    cs_cpuid_data_free(f->data);
    g_free(f);
}

static void
raw_model_free(gpointer p)
{
    RawModel *m = p;

    g_free(m->name);
    g_free(m->ancestor);
    g_array_unref(m->signatures);
    g_array_unref(m->features);
    g_array_unref(m->removed);
    g_array_unref(m->added);
    g_free(m);
}

static gboolean
parse_vendor(Loader *ld, const xmlNode *node, const char *name, const char *src,
             GError **error)
{
    g_autofree char *string = cs_xml_prop(node, "string");
    CsMapVendor *v;

    for (guint i = 0; i < ld->vendors->len; i++) {
        if (strcmp(((CsMapVendor *) ld->vendors->pdata[i])->name, name) == 0) {
            g_autofree char *n = cs_shown(name);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: CPU vendor '%s' already defined", src, node->line, n);
            return FALSE;
        }
    }
    if (!string || strlen(string) != 12) {
        g_autofree char *n = cs_shown(name);
        g_autofree char *str = cs_shown(string);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: vendor '%s' needs a 12-character 'string', got '%s'",
                    src, node->line, n, str);
        return FALSE;
    }
    v = g_new0(CsMapVendor, 1);
    v->name = g_string_chunk_insert(ld->strings, name);
    v->string = g_string_chunk_insert(ld->strings, string);
    memcpy(&v->ebx, string, 4);
    memcpy(&v->edx, string + 4, 4);
    memcpy(&v->ecx, string + 8, 4);
    v->ebx = GUINT32_FROM_LE(v->ebx);
    v->ecx = GUINT32_FROM_LE(v->ecx);
    v->edx = GUINT32_FROM_LE(v->edx);
    g_ptr_array_add(ld->vendors, v);
    return TRUE;
}

static gboolean
parse_feature(Loader *ld, const xmlNode *node, const char *name, const char *src,
              GError **error)
{
    g_autofree char *migratable = cs_xml_prop(node, "migratable");
    RawFeature *f;

    if (g_hash_table_contains(ld->feature_by_name, name)) {
        g_autofree char *n = cs_shown(name);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: CPU feature '%s' already defined", src, node->line, n);
        return FALSE;
    }
    f = g_new0(RawFeature, 1);
    f->name = g_strdup(name);
    f->migratable = g_strcmp0(migratable, "no") != 0;
    f->aliases = g_ptr_array_new_with_free_func(g_free);
    f->data = cs_cpuid_data_new();
    if (!cs_cpuid_data_parse_items(node, f->data, src, error)) {
        raw_feature_free(f);
        return FALSE;
    }
    for (const xmlNode *c = node->children; c; c = c->next) {
        char *alias;

        if (!cs_xml_is(c, "alias"))
            continue;
        if (!(alias = cs_xml_prop(c, "name"))) {
            g_autofree char *n = cs_shown(name);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: <alias> of feature '%s' lacks 'name'", src, c->line, n);
            raw_feature_free(f);
            return FALSE;
        }
        g_ptr_array_add(f->aliases, alias);
    }
    g_ptr_array_add(ld->features, f);
    g_hash_table_insert(ld->feature_by_name, f->name,
                        GUINT_TO_POINTER(ld->features->len));
    return TRUE;
}

static gboolean
parse_steppings(const char *s, guint16 *out)
{
    g_auto(GStrv) parts = g_strsplit(s, ",", -1);
    guint16 mask = 0;

    for (guint i = 0; parts[i]; i++) {
        g_auto(GStrv) range = g_strsplit(parts[i], "-", 2);
        guint64 a, b;

        if (!cs_parse_uint(range[0], 15, &a))
            return FALSE;
        b = a;
        if (range[1] && !cs_parse_uint(range[1], 15, &b))
            return FALSE;
        if (b < a)
            return FALSE;
        for (guint64 x = a; x <= b; x++)
            mask |= 1u << x;
    }
    if (!mask)
        return FALSE;
    *out = mask;
    return TRUE;
}

static gboolean
onoff(const char *v, gboolean *out)
{
    if (g_strcmp0(v, "on") == 0)
        *out = TRUE;
    else if (g_strcmp0(v, "off") == 0)
        *out = FALSE;
    else
        return FALSE;
    return TRUE;
}

static gboolean
parse_model(Loader *ld, const xmlNode *node, const char *name, const char *src,
            GError **error)
{
    g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(raw_model_free);
    RawModel *m;
    const xmlNode *decode = cs_xml_child(node, "decode");
    const xmlNode *anc = cs_xml_child(node, "model");
    const xmlNode *vendor = cs_xml_child(node, "vendor");
    gboolean have_sigs = FALSE;
    g_autofree char *shown_name = cs_shown(name);

    if (g_hash_table_contains(ld->model_by_name, name)) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: multiple definitions of CPU model '%s'", src, node->line,
                    shown_name);
        return FALSE;
    }
    m = g_new0(RawModel, 1);
    g_ptr_array_add(keep, m);
    m->name = g_strdup(name);
    m->vendor = -1;
    m->signatures = g_array_new(FALSE, FALSE, sizeof(CsSignature));
    m->features = g_array_new(FALSE, FALSE, sizeof(guint16));
    m->removed = g_array_new(FALSE, FALSE, sizeof(guint16));
    m->added = g_array_new(FALSE, FALSE, sizeof(guint16));

    if (!decode) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: missing <decode> element in CPU model '%s'", src,
                    node->line, shown_name);
        return FALSE;
    } else {
        g_autofree char *h = cs_xml_prop(decode, "host");
        g_autofree char *g = cs_xml_prop(decode, "guest");

        if (!onoff(h, &m->decode_host) || !onoff(g, &m->decode_guest)) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: <decode> of CPU model '%s' needs host= and guest= "
                        "'on' or 'off'", src, decode->line, shown_name);
            return FALSE;
        }
    }

    if (anc) {
        g_autofree char *an = cs_xml_prop(anc, "name");
        gpointer idx;
        RawModel *a;

        if (!an) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: missing ancestor's name in CPU model '%s'", src,
                        anc->line, shown_name);
            return FALSE;
        }
        if (!(idx = g_hash_table_lookup(ld->model_by_name, an))) {
            g_autofree char *a_shown = cs_shown(an);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: ancestor model '%s' not found for CPU model '%s'",
                        src, anc->line, a_shown, shown_name);
            return FALSE;
        }
        a = ld->models->pdata[GPOINTER_TO_UINT(idx) - 1];
        m->ancestor = g_strdup(an);
        m->vendor = a->vendor;
        g_array_append_vals(m->signatures, a->signatures->data, a->signatures->len);
        /* the ancestor's data: not its features added later, which this
         * model does not list as added either (libvirt copies the data) */
        for (guint f = 0; f < a->features->len; f++) {
            guint16 fi = g_array_index(a->features, guint16, f);
            gboolean added = FALSE;

            for (guint k = 0; k < a->added->len && !added; k++)
                added = g_array_index(a->added, guint16, k) == fi;
            if (!added)
                g_array_append_val(m->features, fi);
        }
    }

    for (const xmlNode *c = node->children; c; c = c->next) {
        guint64 fam = 0, mod = 0;
        g_autofree char *st = NULL;
        CsSignature sig;

        if (!cs_xml_is(c, "signature"))
            continue;
        if (!have_sigs) {
            g_array_set_size(m->signatures, 0);
            have_sigs = TRUE;
        }
        if (!cs_xml_prop_uint(c, "family", TRUE, G_MAXUINT32, &fam, NULL, src, error) ||
            !cs_xml_prop_uint(c, "model", TRUE, G_MAXUINT32, &mod, NULL, src, error))
            return FALSE;
        if (fam == 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: invalid CPU signature family in model '%s'", src,
                        c->line, shown_name);
            return FALSE;
        }
        sig = (CsSignature) { .family = fam, .model = mod, .steppings = 0xffff };
        st = cs_xml_prop(c, "stepping");
        if (st && !parse_steppings(st, &sig.steppings)) {
            g_autofree char *st_shown = cs_shown(st);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: invalid stepping '%s' in CPU model '%s'", src,
                        c->line, st_shown, shown_name);
            return FALSE;
        }
        g_array_append_val(m->signatures, sig);
    }

    if (vendor) {
        g_autofree char *vn = cs_xml_prop(vendor, "name");
        int vi = -1;

        for (guint i = 0; vn && i < ld->vendors->len; i++) {
            if (strcmp(((CsMapVendor *) ld->vendors->pdata[i])->name, vn) == 0)
                vi = i;
        }
        if (vi < 0) {
            g_autofree char *v_shown = cs_shown(vn);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: unknown vendor '%s' referenced by CPU model '%s'",
                        src, vendor->line, v_shown, shown_name);
            return FALSE;
        }
        m->vendor = vi;
    }

    for (const xmlNode *c = node->children; c; c = c->next) {
        g_autofree char *fn = NULL;
        g_autofree char *rem = NULL;
        gpointer idx;
        guint16 fi;

        if (!cs_xml_is(c, "feature"))
            continue;
        if (!(fn = cs_xml_prop(c, "name"))) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: missing feature name for CPU model '%s'", src,
                        c->line, shown_name);
            return FALSE;
        }
        if (!(idx = g_hash_table_lookup(ld->feature_by_name, fn))) {
            g_autofree char *f_shown = cs_shown(fn);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: feature '%s' required by CPU model '%s' not found",
                        src, c->line, f_shown, shown_name);
            return FALSE;
        }
        fi = GPOINTER_TO_UINT(idx) - 1;
        rem = cs_xml_prop(c, "removed");
        if (rem && strcmp(rem, "yes") != 0 && strcmp(rem, "no") != 0) {
            g_autofree char *r_shown = cs_shown(rem);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: invalid value '%s' of 'removed' in CPU model '%s'",
                        src, c->line, r_shown, shown_name);
            return FALSE;
        }
        if (g_strcmp0(rem, "yes") == 0) {
            g_array_append_val(m->removed, fi);
        } else {
            g_autofree char *added = cs_xml_prop(c, "added");

            g_array_append_val(m->features, fi);
            if (g_strcmp0(added, "yes") == 0)
                g_array_append_val(m->added, fi);
        }
    }

    g_ptr_array_add(ld->models, g_ptr_array_steal_index(keep, 0));
    g_hash_table_insert(ld->model_by_name, m->name,
                        GUINT_TO_POINTER(ld->models->len));
    return TRUE;
}

typedef gboolean (*ElementParser)(Loader *, const xmlNode *, const char *,
                                  const char *, GError **);

/* Calls @cb for every child of @parent named @element, as libvirt does:
 * all vendors of a file first, then all features, then all models. */
static gboolean
load_elements(Loader *ld, const xmlNode *parent, const char *element,
              ElementParser cb, const char *src, GError **error)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        g_autofree char *name = NULL;

        if (!cs_xml_is(c, element))
            continue;
        if (!(name = cs_xml_prop(c, "name"))) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: <%s> without a name", src, c->line, element);
            return FALSE;
        }
        if (!cb(ld, c, name, src, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
load_all(Loader *ld, const xmlNode *parent, const char *src, GError **error)
{
    return load_elements(ld, parent, "vendor", parse_vendor, src, error) &&
           load_elements(ld, parent, "feature", parse_feature, src, error) &&
           load_elements(ld, parent, "model", parse_model, src, error);
}

/* Reads the file @path of the map (resolved, inside the map's directory)
 * within what is left of the size limit. @shown names it in messages. */
static char *
read_map_file(Loader *ld, const char *path, const char *shown, gsize *out_len,
              GError **error)
{
    g_autoptr(GError) local = NULL;
    char *buf;

    if (ld->left == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_TOO_LARGE,
                    "cannot read '%s': the CPU map's files are larger than the input "
                    "size limit (%s raises it)", shown, CS_INPUT_MAX_ENV);
        return NULL;
    }
    if (!(buf = cs_input_read_file_as(path, shown, ld->left, CS_INPUT_DEFAULT, out_len,
                                      &local))) {
        if (g_error_matches(local, CS_ERROR, CS_ERROR_TOO_LARGE))
            g_set_error(error, CS_ERROR, CS_ERROR_TOO_LARGE,
                        "cannot read '%s': the CPU map's files are larger than the input "
                        "size limit (%s raises it)", shown, CS_INPUT_MAX_ENV);
        else
            g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    ld->left -= *out_len;
    return buf;
}

/* Returns: (transfer full) the real path of @name in the map's directory,
 * or NULL with @error when it does not exist or resolves (through "..",
 * symbolic links, ...) to a place outside the directory. */
static char *
resolve_in_map(const Loader *ld, const char *name, const char *shown, GError **error)
{
    g_autofree char *joined = g_build_filename(ld->root, name, NULL);
    char *real = NULL;
    gsize n = strlen(ld->root);
    gboolean inside;
    char *ret;

    if (!(real = realpath(joined, NULL))) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot read '%s': %s", shown,
                    g_strerror(errno));
        return NULL;
    }
    if (strcmp(ld->root, "/") == 0)
        inside = strcmp(real, "/") != 0;
    else
        inside = strncmp(real, ld->root, n) == 0 && real[n] == '/';
    if (!inside) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "cannot read '%s': it is not inside the CPU map directory", shown);
        free(real);
        return NULL;
    }
    ret = g_strdup(real);
    free(real);
    return ret;
}

static gboolean
load_include(Loader *ld, const char *filename, const char *src, int line,
             GError **error)
{
    g_autofree char *joined = g_build_filename(ld->dir, filename, NULL);
    g_autofree char *shown_path = cs_shown_n(joined, -1, 0);
    g_autofree char *real = NULL;
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;

    /* as libvirt: a name relative to the map directory; symbolic links and
     * ".." are resolved and must stay inside it */
    if (g_path_is_absolute(filename)) {
        g_autofree char *f = cs_shown(filename);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: include '%s' must name a file inside the map directory",
                    src, line, f);
        return FALSE;
    }
    if (!(real = resolve_in_map(ld, filename, shown_path, &local)) ||
        !(buf = read_map_file(ld, real, shown_path, &len, &local))) {
        g_set_error(error, local->domain, local->code, "%s:%d: cannot read include: %s",
                    src, line, local->message);
        return FALSE;
    }
    if (!(doc = cs_xml_read(buf, len, shown_path, error)))
        return FALSE;
    root = xmlDocGetRootElement(doc);
    if (!cs_xml_is(root, "cpus")) {
        g_autofree char *r = cs_shown((const char *) root->name);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: expected root element <cpus>, found <%s>", shown_path, r);
        return FALSE;
    }
    return load_all(ld, root, shown_path, error);
}

/* The <include>s of @parent in document order, also those inside <group>
 * elements (newer libvirt maps group their model files). */
static gboolean
load_includes(Loader *ld, const xmlNode *parent, const char *index, GError **error)
{
    for (const xmlNode *c = parent->children; c; c = c->next) {
        g_autofree char *fn = NULL;

        if (cs_xml_is(c, "group")) {
            if (parent->parent && cs_xml_is(parent, "group")) {
                g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                            "%s:%d: <group> elements cannot nest", index, c->line);
                return FALSE;
            }
            if (!load_includes(ld, c, index, error))
                return FALSE;
            continue;
        }
        if (!cs_xml_is(c, "include"))
            continue;
        if (!(fn = cs_xml_prop(c, "filename"))) {
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: <include> without 'filename'", index, c->line);
            return FALSE;
        }
        if (!load_include(ld, fn, index, c->line, error))
            return FALSE;
    }
    return TRUE;
}

static int
word_key_cmp(const void *a, const void *b)
{
    const CsWordKey *x = a, *y = b;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->leaf != y->leaf)
        return x->leaf < y->leaf ? -1 : 1;
    if (x->subleaf != y->subleaf)
        return x->subleaf < y->subleaf ? -1 : 1;
    if (x->reg != y->reg)
        return x->reg < y->reg ? -1 : 1;
    return 0;
}

static gint
u16_cmp(gconstpointer a, gconstpointer b)
{
    return (gint) *(const guint16 *) a - (gint) *(const guint16 *) b;
}

static int
name_cmp(const void *a, const void *b)
{
    return strcmp(((const CsNameIndex *) a)->name, ((const CsNameIndex *) b)->name);
}

static void
add_word(GArray *words, guint8 kind, guint8 reg, guint32 leaf, guint32 sub)
{
    CsWordKey k = { .kind = kind, .reg = reg, .leaf = leaf, .subleaf = sub };

    g_array_append_val(words, k);
}

static guint
find_word(const CsWordKey *words, guint n, guint8 kind, guint8 reg, guint32 leaf,
          guint32 sub)
{
    CsWordKey k = { .kind = kind, .reg = reg, .leaf = leaf, .subleaf = sub };
    const CsWordKey *w = bsearch(&k, words, n, sizeof(CsWordKey), word_key_cmp);

    g_assert(w);
    return w - words;
}

/* Turns the parsed lists into CsMapTables. */
static CsCpuMap *
build_map(Loader *ld, GError **error)
{
    Owned *o = g_new0(Owned, 1);
    g_autoptr(GArray) words = g_array_new(FALSE, FALSE, sizeof(CsWordKey));
    g_autoptr(GArray) parts = g_array_new(FALSE, FALSE, sizeof(CsFeaturePart));
    guint *part_start = NULL;
    guint n_alias_total = 0, n_sig_total = 0, n_rem_total = 0, n_add_total = 0;
    guint nf = ld->features->len, nm = ld->models->len, nw;
    CsCpuMap *map;
    guint ai = 0, si = 0, ri = 0, adi = 0, fni = 0;

    if (nf > G_MAXUINT16 || nm > G_MAXUINT16) {
        g_autofree char *d = cs_shown_n(ld->dir, -1, 0);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: too many features or models", d);
        g_free(o);
        return NULL;
    }
    o->strings = g_steal_pointer(&ld->strings);

    /* the word table */
    for (guint i = 0; i < nf; i++) {
        RawFeature *f = ld->features->pdata[i];
        gsize n;
        const CsCpuidLeaf *l = cs_cpuid_data_get_leaves(f->data, &n);
        const CsMsr *m;

        for (gsize j = 0; j < n; j++) {
            const guint32 r[4] = { l[j].eax, l[j].ebx, l[j].ecx, l[j].edx };

            for (guint8 reg = 0; reg < 4; reg++) {
                if (r[reg])
                    add_word(words, CS_WORD_CPUID, reg, l[j].eax_in, l[j].ecx_in);
            }
        }
        m = cs_cpuid_data_get_msrs(f->data, &n);
        for (gsize j = 0; j < n; j++) {
            if (m[j].eax)
                add_word(words, CS_WORD_MSR, 0, m[j].index, 0);
            if (m[j].edx)
                add_word(words, CS_WORD_MSR, 3, m[j].index, 0);
        }
        n_alias_total += f->aliases->len + 1;
    }
    g_array_sort(words, word_key_cmp);
    nw = 0;
    for (guint i = 0; i < words->len; i++) {
        if (nw == 0 || word_key_cmp(&g_array_index(words, CsWordKey, i),
                                    &g_array_index(words, CsWordKey, nw - 1)) != 0)
            g_array_index(words, CsWordKey, nw++) = g_array_index(words, CsWordKey, i);
    }
    g_array_set_size(words, nw);
    /* an empty GArray has no data: keep one zeroed entry so that the
     * tables are never NULL (pointer arithmetic on NULL is undefined) */
    o->words = g_new0(CsWordKey, MAX(nw, 1));
    if (nw)
        memcpy(o->words, words->data, sizeof(CsWordKey) * nw);

    /* features */
    o->features = g_new0(CsMapFeature, MAX(nf, 1));
    o->aliases = g_new0(const char *, n_alias_total + 1);
    part_start = g_new0(guint, nf + 1);
    for (guint i = 0; i < nf; i++) {
        RawFeature *f = ld->features->pdata[i];
        gsize n;
        const CsCpuidLeaf *l = cs_cpuid_data_get_leaves(f->data, &n);
        const CsMsr *m;

        part_start[i] = parts->len;
        for (gsize j = 0; j < n; j++) {
            const guint32 r[4] = { l[j].eax, l[j].ebx, l[j].ecx, l[j].edx };

            for (guint8 reg = 0; reg < 4; reg++) {
                CsFeaturePart p;

                if (!r[reg])
                    continue;
                p.word = find_word(o->words, nw, CS_WORD_CPUID, reg, l[j].eax_in,
                                   l[j].ecx_in);
                p.mask = r[reg];
                g_array_append_val(parts, p);
            }
        }
        m = cs_cpuid_data_get_msrs(f->data, &n);
        for (gsize j = 0; j < n; j++) {
            CsFeaturePart p;

            if (m[j].eax) {
                p.word = find_word(o->words, nw, CS_WORD_MSR, 0, m[j].index, 0);
                p.mask = m[j].eax;
                g_array_append_val(parts, p);
            }
            if (m[j].edx) {
                p.word = find_word(o->words, nw, CS_WORD_MSR, 3, m[j].index, 0);
                p.mask = m[j].edx;
                g_array_append_val(parts, p);
            }
        }
        o->features[i].name = g_string_chunk_insert(o->strings, f->name);
        o->features[i].migratable = f->migratable;
        o->features[i].aliases = &o->aliases[ai];
        for (guint a = 0; a < f->aliases->len; a++)
            o->aliases[ai++] = g_string_chunk_insert(o->strings, f->aliases->pdata[a]);
        o->aliases[ai++] = NULL;
    }
    part_start[nf] = parts->len;
    o->parts = g_new0(CsFeaturePart, MAX(parts->len, 1));
    if (parts->len)
        memcpy(o->parts, parts->data, sizeof(CsFeaturePart) * parts->len);
    for (guint i = 0; i < nf; i++) {
        o->features[i].parts = o->parts + part_start[i];
        o->features[i].n_parts = part_start[i + 1] - part_start[i];
    }
    g_free(part_start);

    /* feature names: canonical first, aliases only when not a canonical name */
    o->feature_names = g_new0(CsNameIndex, n_alias_total + 1);
    for (guint i = 0; i < nf; i++)
        o->feature_names[fni++] = (CsNameIndex) { o->features[i].name, i };
    for (guint i = 0; i < nf; i++) {
        for (const char *const *a = o->features[i].aliases; *a; a++) {
            gboolean dup = g_hash_table_contains(ld->feature_by_name, *a);

            for (guint k = 0; !dup && k < fni; k++)
                dup = strcmp(o->feature_names[k].name, *a) == 0;
            if (!dup)
                o->feature_names[fni++] = (CsNameIndex) { *a, i };
        }
    }
    qsort(o->feature_names, fni, sizeof(CsNameIndex), name_cmp);

    /* vendors */
    o->vendors = g_new0(CsMapVendor, MAX(ld->vendors->len, 1));
    for (guint i = 0; i < ld->vendors->len; i++)
        o->vendors[i] = *(CsMapVendor *) ld->vendors->pdata[i];

    /* models */
    for (guint i = 0; i < nm; i++) {
        RawModel *m = ld->models->pdata[i];

        n_sig_total += m->signatures->len;
        n_rem_total += m->removed->len;
        n_add_total += m->added->len;
    }
    o->models = g_new0(CsMapModel, MAX(nm, 1));
    o->signatures = g_new0(CsSignature, MAX(n_sig_total, 1));
    o->removed = g_new0(guint16, MAX(n_rem_total, 1));
    o->added = g_new0(guint16, MAX(n_add_total, 1));
    o->vecs = g_new0(guint32, (gsize) MAX(nm, 1) * MAX(nw, 1));
    o->model_names = g_new0(CsNameIndex, MAX(nm, 1));
    for (guint i = 0; i < nm; i++) {
        RawModel *m = ld->models->pdata[i];
        CsMapModel *cm = &o->models[i];
        guint32 *vec = o->vecs + (gsize) i * MAX(nw, 1);

        cm->name = g_string_chunk_insert(o->strings, m->name);
        cm->vendor = m->vendor;
        cm->decode_host = m->decode_host;
        cm->decode_guest = m->decode_guest;
        cm->alias_of = m->ancestor ? g_string_chunk_insert(o->strings, m->ancestor) : NULL;
        cm->n_signatures = m->signatures->len;
        cm->signatures = o->signatures + si;
        for (guint s = 0; s < m->signatures->len; s++)
            o->signatures[si++] = g_array_index(m->signatures, CsSignature, s);
        for (guint f = 0; f < m->features->len; f++)
            cs_vec_add_feature(vec, &o->features[g_array_index(m->features, guint16, f)]);
        /* features added to the model later are not part of its data
         * (libvirt 12.8 leaves them out of every operation) */
        for (guint a = 0; a < m->added->len; a++)
            cs_vec_del_feature(vec, &o->features[g_array_index(m->added, guint16, a)]);
        cm->vec = vec;
        cm->n_removed = m->removed->len;
        cm->removed = o->removed + ri;
        for (guint r = 0; r < m->removed->len; r++)
            o->removed[ri++] = g_array_index(m->removed, guint16, r);
        /* added features ascending and once each, as the generator writes them */
        g_array_sort(m->added, u16_cmp);
        cm->added = o->added + adi;
        for (guint a = 0; a < m->added->len; a++) {
            guint16 f = g_array_index(m->added, guint16, a);

            if (a == 0 || f != g_array_index(m->added, guint16, a - 1))
                o->added[adi++] = f;
        }
        cm->n_added = (o->added + adi) - cm->added;
        o->model_names[i] = (CsNameIndex) { cm->name, i };
    }
    qsort(o->model_names, nm, sizeof(CsNameIndex), name_cmp);

    map = g_new0(CsCpuMap, 1);
    map->refcount = 1;
    map->source = g_strdup(ld->dir);
    map->owned = o;
    map->owned_free = owned_free;
    map->t = (CsMapTables) {
        .n_words = nw, .words = o->words,
        .n_vendors = ld->vendors->len, .vendors = o->vendors,
        .n_features = nf, .features = o->features,
        .n_models = nm, .models = o->models,
        .n_feature_names = fni, .feature_names = o->feature_names,
        .n_model_names = nm, .model_names = o->model_names,
    };
    cs_cpu_map_finish(map);
    return map;
}

CsCpuMap *
cs_cpu_map_load_dir(const char *dir, GError **error)
{
    g_autofree char *index_name = NULL;
    g_autofree char *index = NULL;
    g_autofree char *real_index = NULL;
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    xmlNode *root;
    xmlNode *arch = NULL;
    Loader ld = { 0 };
    CsCpuMap *map = NULL;
    gboolean ok;
    char *real_dir;
    struct stat st;

    g_return_val_if_fail(dir != NULL, NULL);
    if (!*dir) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO,
                    "cannot load CPU map: the directory name is empty");
        return NULL;
    }
    index_name = g_build_filename(dir, "index.xml", NULL);
    index = cs_shown_n(index_name, -1, 0);
    if (!cs_input_get_max_size(&ld.limit, error))
        return NULL;
    if (!(real_dir = realpath(dir, NULL)) || stat(real_dir, &st) != 0 ||
        !S_ISDIR(st.st_mode)) {
        g_autofree char *d = cs_shown_n(dir, -1, 0);

        g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot load CPU map: '%s': %s", d,
                    g_strerror(real_dir ? ENOTDIR : errno));
        free(real_dir);
        return NULL;
    }
    ld.root = g_strdup(real_dir);
    free(real_dir);
    ld.dir = g_strdup(dir);
    ld.left = ld.limit;
    if (!(real_index = resolve_in_map(&ld, "index.xml", index, &local)) ||
        !(buf = read_map_file(&ld, real_index, index, &len, &local))) {
        g_set_error(error, local->domain, local->code, "cannot load CPU map: %s",
                    local->message);
        g_free(ld.root);
        g_free(ld.dir);
        return NULL;
    }
    if (!(doc = cs_xml_read(buf, len, index, error)) ||
        !cs_xml_is((root = xmlDocGetRootElement(doc)), "cpus")) {
        if (doc) {
            g_autofree char *r = cs_shown((const char *) root->name);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s: expected root element <cpus>, found <%s>", index, r);
        }
        g_free(ld.root);
        g_free(ld.dir);
        return NULL;
    }
    g_clear_pointer(&buf, g_free);
    for (xmlNode *c = root->children; c && !arch; c = c->next) {
        g_autofree char *name = NULL;

        if (!cs_xml_is(c, "arch"))
            continue;
        name = cs_xml_prop(c, "name");
        if (g_strcmp0(name, "x86") == 0)
            arch = c;
    }
    if (!arch) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: cannot find CPU map for the x86 architecture", index);
        g_free(ld.root);
        g_free(ld.dir);
        return NULL;
    }

    ld.vendors = g_ptr_array_new_with_free_func(g_free);
    ld.features = g_ptr_array_new_with_free_func(raw_feature_free);
    ld.models = g_ptr_array_new_with_free_func(raw_model_free);
    ld.feature_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ld.model_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ld.strings = g_string_chunk_new(4096);

    ok = load_all(&ld, arch, index, error) && load_includes(&ld, arch, index, error);
    if (ok && ld.models->len == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: the CPU map defines no x86 models",
                    index);
        ok = FALSE;
    }
    if (ok)
        map = build_map(&ld, error);

    g_hash_table_unref(ld.feature_by_name);
    g_hash_table_unref(ld.model_by_name);
    g_ptr_array_unref(ld.vendors);
    g_ptr_array_unref(ld.features);
    g_ptr_array_unref(ld.models);
    if (ld.strings)
        g_string_chunk_free(ld.strings);
    g_free(ld.root);
    g_free(ld.dir);
    return map;
}
