/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: libvirt's <cpu> XML, read (writing lives in cpu-def-format.c)
 *
 * The rules are libvirt 9.0's virCPUDefParseXML: what it refuses, we refuse
 * (with our own messages); what it ignores, we ignore. Model, feature and
 * vendor names are not checked here: that needs a map and happens in the
 * operations, as in libvirt.
 *
 * Why this file is long (~1,150 lines): it holds two readers that must
 * agree rule for rule, the one on libxml2's tree (any document) and the
 * scanner of plain <cpu> documents that runs first (fast_*); side by side,
 * a rule changed in one is seen to need changing in the other.
 */
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include "cpu-def-xml-private.h"
#include "core/error-private.h"
#include "xml-util.h"

/* libvirt's virArch names: an <arch> outside this list is refused. */
static const char *const known_archs[] = {
    "i686", "x86_64", "alpha", "armv6l", "armv7l", "armv7b", "aarch64",
    "cris", "ia64", "lm32", "loongarch64", "m68k", "microblaze",
    "microblazeel", "mips", "mipsel", "mips64", "mips64el", "openrisc",
    "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb",
    "riscv32", "riscv64", "s390", "s390x", "sh4", "sh4eb", "sparc",
    "sparc64", "unicore32", "xtensa", "xtensaeb",
};

static const char *const cache_modes[] = { "emulate", "passthrough", "disable" };
static const char *const maxphysaddr_modes[] = { "emulate", "passthrough" };

G_GNUC_PRINTF(5, 6) static gboolean
fail(GError **error, int code, const char *source, const xmlNode *node,
     const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (node && node->line > 0)
        g_set_error(error, CS_ERROR, code, "%s:%d: %s", source, node->line, msg);
    else
        g_set_error(error, CS_ERROR, code, "%s: %s", source, msg);
    return FALSE;
}

G_GNUC_PRINTF(5, 6) static gboolean
fail_at(GError **error, int code, const char *source, int line, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (line > 0)
        g_set_error(error, CS_ERROR, code, "%s:%d: %s", source, line, msg);
    else
        g_set_error(error, CS_ERROR, code, "%s: %s", source, msg);
    return FALSE;
}

static gboolean
in_list(const char *const *list, guint n, const char *s)
{
    for (guint i = 0; i < n; i++) {
        if (strcmp(list[i], s) == 0)
            return TRUE;
    }
    return FALSE;
}

/* XPath string() of @node: all descendant text, unstripped; NULL when empty
 * (libvirt's virXPathString treats "" as absent). */
static char *
node_string(const xmlNode *node)
{
    xmlChar *c;
    char *ret = NULL;

    if (!node)
        return NULL;
    c = xmlNodeGetContent(node);
    if (c && *c)
        ret = g_strdup((const char *) c);
    xmlFree(c);
    return ret;
}

/* Attribute value, NULL when absent or empty (XPath string() semantics). */
static char *
prop_nonempty(const xmlNode *node, const char *name)
{
    char *v = node ? cs_xml_prop(node, name) : NULL;

    if (v && !*v) {
        g_free(v);
        return NULL;
    }
    return v;
}

/* Decimal unsigned number as libvirt's virStrToLong_ui* reads it: optional
 * leading blanks, digits, nothing after. */
static gboolean
parse_decimal(const char *s, guint64 max, guint64 *out)
{
    guint64 v = 0;
    const char *p = s;

    while (g_ascii_isspace(*p))
        p++;
    if (*p == '+')
        p++;
    if (!g_ascii_isdigit(*p))
        return FALSE;
    for (; g_ascii_isdigit(*p); p++) {
        guint d = *p - '0';

        if (v > (G_MAXUINT64 - d) / 10)
            return FALSE;
        v = v * 10 + d;
    }
    if (*p || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

/* Attribute @name of @node as a decimal number no larger than @max.
 * Returns FALSE with @error set when invalid, when absent and @required, or
 * when zero and @nonzero. *@out_present says whether it was there. */
static gboolean
prop_number(const xmlNode *node, const char *name, gboolean required, gboolean nonzero,
            guint64 max, guint64 *out, gboolean *out_present, const char *source,
            GError **error)
{
    g_autofree char *v = cs_xml_prop(node, name);

    *out_present = v != NULL;
    if (!v) {
        if (!required)
            return TRUE;
        return fail(error, CS_ERROR_PARSE, source, node,
                    "element <%s> lacks the attribute '%s'",
                    (const char *) node->name, name);
    }
    if (!parse_decimal(v, max, out) || (nonzero && *out == 0)) {
        g_autofree char *shown = cs_shown(v);

        return fail(error, CS_ERROR_INVALID, source, node,
                    "invalid value '%s' for the attribute '%s' of <%s>", shown, name,
                    (const char *) node->name);
    }
    return TRUE;
}

/* Attribute @name that must be one of @values (or absent). Returns the index
 * in *@out (-1 when absent). */
static gboolean
prop_choice(const xmlNode *node, const char *name, const char *const *values, guint n,
            gboolean required, int *out, const char *source, GError **error)
{
    g_autofree char *v = cs_xml_prop(node, name);

    *out = -1;
    if (!v) {
        if (!required)
            return TRUE;
        return fail(error, CS_ERROR_PARSE, source, node,
                    "element <%s> lacks the attribute '%s'",
                    (const char *) node->name, name);
    }
    for (guint i = 0; i < n; i++) {
        if (strcmp(values[i], v) == 0) {
            *out = i;
            return TRUE;
        }
    }
    {
        g_autofree char *shown = cs_shown(v);

        return fail(error, CS_ERROR_INVALID, source, node,
                    "invalid value '%s' for the attribute '%s' of <%s>", shown, name,
                    (const char *) node->name);
    }
}

/* Number of element children of @node named @name. */
static guint
count_children(const xmlNode *node, const char *name)
{
    guint n = 0;

    for (const xmlNode *c = node->children; c; c = c->next) {
        if (cs_xml_is(c, name))
            n++;
    }
    return n;
}

/* <counter name='tsc' frequency= scaling=/> of a host CPU, kept as its
 * normalized libvirt line. */
static gboolean
parse_counter(const xmlNode *cpu, GString *extra, const char *source, GError **error)
{
    static const char *const tristate_bool[] = { "default", "yes", "no" };

    for (const xmlNode *c = cpu->children; c; c = c->next) {
        g_autofree char *name = NULL;
        guint64 freq = 0;
        gboolean present = FALSE;
        int scaling = -1;

        if (!cs_xml_is(c, "counter"))
            continue;
        name = cs_xml_prop(c, "name");
        if (!name || strcmp(name, "tsc") != 0)
            continue;
        if (!prop_number(c, "frequency", TRUE, FALSE, G_MAXUINT64, &freq, &present,
                         source, error))
            return FALSE;
        if (!prop_choice(c, "scaling", tristate_bool + 1, 2, FALSE, &scaling, source,
                         error))
            return FALSE;
        g_string_append_printf(extra, "<counter name='tsc' frequency='%" G_GUINT64_FORMAT
                               "'", freq);
        if (scaling >= 0)
            g_string_append_printf(extra, " scaling='%s'", tristate_bool[scaling + 1]);
        g_string_append(extra, "/>\n");
        return TRUE;
    }
    return TRUE;
}

static gboolean
parse_cache(const xmlNode *cpu, GString *extra, const char *source, GError **error)
{
    const xmlNode *cache = cs_xml_child(cpu, "cache");
    guint64 level = 0;
    gboolean has_level = FALSE;
    int mode = -1;

    if (!cache)
        return TRUE;
    if (count_children(cpu, "cache") > 1)
        return fail(error, CS_ERROR_INVALID, source, cache,
                    "at most one <cache> element may be given");
    if (!prop_number(cache, "level", FALSE, FALSE, 3, &level, &has_level, source,
                     error))
        return FALSE;
    if (has_level && level < 1)
        return fail(error, CS_ERROR_INVALID, source, cache,
                    "the CPU cache level must be 1, 2 or 3");
    if (!prop_choice(cache, "mode", cache_modes, G_N_ELEMENTS(cache_modes), TRUE, &mode,
                     source, error))
        return FALSE;
    g_string_append(extra, "<cache ");
    if (has_level)
        g_string_append_printf(extra, "level='%u' ", (guint) level);
    g_string_append_printf(extra, "mode='%s'/>\n", cache_modes[mode]);
    return TRUE;
}

static gboolean
parse_maxphysaddr(const xmlNode *cpu, GString *extra, const char *source,
                  GError **error)
{
    const xmlNode *addr = cs_xml_child(cpu, "maxphysaddr");
    guint64 bits = 0;
    gboolean has_bits = FALSE;
    int mode = -1;

    if (!addr)
        return TRUE;
    if (!prop_choice(addr, "mode", maxphysaddr_modes, G_N_ELEMENTS(maxphysaddr_modes),
                     TRUE, &mode, source, error))
        return FALSE;
    if (!prop_number(addr, "bits", FALSE, FALSE, G_MAXINT, &bits, &has_bits, source,
                     error))
        return FALSE;
    g_string_append_printf(extra, "<maxphysaddr mode='%s'", maxphysaddr_modes[mode]);
    if (has_bits)
        g_string_append_printf(extra, " bits='%u'", (guint) bits);
    g_string_append(extra, "/>\n");
    return TRUE;
}

static gboolean
parse_topology(const xmlNode *cpu, CsCpuDef *def, const char *source, GError **error)
{
    const xmlNode *topo = cs_xml_child(cpu, "topology");
    guint64 sockets = 0, dies = 1, clusters = 0, cores = 0, threads = 0;
    gboolean present = FALSE;

    if (!topo)
        return TRUE;
    if (!prop_number(topo, "sockets", TRUE, TRUE, G_MAXUINT, &sockets, &present, source,
                     error) ||
        !prop_number(topo, "dies", FALSE, TRUE, G_MAXUINT, &dies, &present, source,
                     error) ||
        !prop_number(topo, "clusters", FALSE, TRUE, G_MAXUINT, &clusters, &present, source,
                     error) ||
        !prop_number(topo, "cores", TRUE, TRUE, G_MAXUINT, &cores, &present, source,
                     error) ||
        !prop_number(topo, "threads", TRUE, TRUE, G_MAXUINT, &threads, &present, source,
                     error))
        return FALSE;
    def->sockets = sockets;
    def->dies = dies;
    def->clusters = clusters;
    def->cores = cores;
    def->threads = threads;
    return TRUE;
}

static gboolean
parse_host_parts(const xmlNode *cpu, CsCpuDef *def, GString *extra, const char *source,
                 GError **error)
{
    g_autofree char *arch = node_string(cs_xml_child(cpu, "arch"));
    const xmlNode *mc = cs_xml_child(cpu, "microcode");
    const xmlNode *sig = cs_xml_child(cpu, "signature");

    if (!arch)
        return fail(error, CS_ERROR_INVALID, source, cpu,
                    "the host CPU has no <arch>");
    if (!in_list(known_archs, G_N_ELEMENTS(known_archs), arch)) {
        g_autofree char *shown = cs_shown(arch);

        return fail(error, CS_ERROR_INVALID, source, cs_xml_child(cpu, "arch"),
                    "unknown architecture '%s'", shown);
    }
    def->arch = g_steal_pointer(&arch);

    if (mc) {
        g_autofree char *v = prop_nonempty(mc, "version");
        guint64 version = 0;

        if (v) {
            if (!parse_decimal(v, G_MAXUINT, &version))
                return fail(error, CS_ERROR_INVALID, source, mc,
                            "the microcode version is not a valid number");
            def->has_microcode = TRUE;
            def->microcode = version;
        }
    }
    if (sig) {
        guint64 family = 0, model = 0, stepping = 0;
        gboolean present = FALSE;

        if (!prop_number(sig, "family", TRUE, TRUE, G_MAXUINT, &family, &present,
                         source, error) ||
            !prop_number(sig, "model", TRUE, FALSE, G_MAXUINT, &model, &present,
                         source, error) ||
            !prop_number(sig, "stepping", TRUE, FALSE, G_MAXUINT, &stepping, &present,
                         source, error))
            return FALSE;
        def->sig_family = family;
        def->sig_model = model;
        def->sig_stepping = stepping;
    }
    return parse_counter(cpu, extra, source, error);
}

static gboolean
parse_model_attrs(const xmlNode *model, CsCpuDef *def, const char *source,
                  GError **error)
{
    g_autofree char *fallback = prop_nonempty(model, "fallback");
    g_autofree char *vendor_id = prop_nonempty(model, "vendor_id");

    if (fallback) {
        int v = cs_cpu_fallback_from_string(fallback);

        if (v < 0) {
            g_autofree char *shown = cs_shown(fallback);

            return fail(error, CS_ERROR_INVALID, source, model,
                        "invalid fallback '%s' (expected 'allow' or 'forbid')", shown);
        }
        def->fallback = v;
    }
    if (vendor_id) {
        if (strlen(vendor_id) != 12)
            return fail(error, CS_ERROR_INVALID, source, model,
                        "the vendor_id must be exactly 12 characters long");
        if (strchr(vendor_id, ','))
            return fail(error, CS_ERROR_INVALID, source, model,
                        "the vendor_id must not contain a comma");
        def->vendor_id = g_steal_pointer(&vendor_id);
    }
    return TRUE;
}

/* The <feature> children of a <cpu> as read (name, policy, line), kept
 * apart from any tree: a <cpu> may list millions. Reading stops at the
 * first feature that is sure to fail (no name, or a name seen before):
 * the rules never look past it. */
typedef struct {
    const char *name;       /* NULL when absent */
    const char *policy;     /* NULL when absent */
    int line;
} FeatureItem;

typedef struct {
    GArray *items;          /* FeatureItem */
    GStringChunk *strings;
    GHashTable *names;      /* names so far (in @strings) */
    gboolean stopped;
} FeatureList;

static void
feature_list_init(FeatureList *list)
{
    list->items = g_array_new(FALSE, FALSE, sizeof(FeatureItem));
    list->strings = g_string_chunk_new(4096);
    list->names = g_hash_table_new(g_str_hash, g_str_equal);
    list->stopped = FALSE;
}

static void
feature_list_clear(FeatureList *list)
{
    g_clear_pointer(&list->items, g_array_unref);
    g_clear_pointer(&list->names, g_hash_table_unref);
    if (list->strings)
        g_string_chunk_free(list->strings);
    list->strings = NULL;
}

/* Records the <feature> element @node (its line moved by @line_offset). */
static void
feature_list_add(FeatureList *list, const xmlNode *node, int line_offset)
{
    g_autofree char *name = NULL;
    g_autofree char *policy = NULL;
    FeatureItem item = { .line = node->line };

    if (list->stopped)
        return;
    if (item.line > 0)
        item.line = MIN(item.line + line_offset, G_MAXUINT16);
    name = cs_xml_prop(node, "name");
    policy = cs_xml_prop(node, "policy");
    if (name)
        item.name = g_string_chunk_insert(list->strings, name);
    if (policy)
        item.policy = g_string_chunk_insert_const(list->strings, policy);
    g_array_append_val(list->items, item);
    if (!name || !*name || g_hash_table_contains(list->names, name))
        list->stopped = TRUE;
    else
        g_hash_table_add(list->names, (gpointer) item.name);
}

static gboolean
parse_features(const FeatureList *list, CsCpuDef *def, const char *source,
               GError **error)
{
    g_autoptr(GHashTable) seen = NULL;

    for (guint i = 0; i < list->items->len; i++) {
        const FeatureItem *f = &g_array_index(list->items, FeatureItem, i);
        CsFeaturePolicy policy = CS_FEATURE_POLICY_NONE;

        if (!def->model && def->type == CS_CPU_TYPE_GUEST &&
            def->mode == CS_CPU_MODE_CUSTOM)
            return fail_at(error, CS_ERROR_INVALID, source, f->line,
                           "features are listed but the CPU has no model");
        if (def->type == CS_CPU_TYPE_GUEST) {
            if (!f->policy) {
                policy = CS_FEATURE_REQUIRE;
            } else {
                int v = cs_feature_policy_from_string(f->policy);

                if (v < 0) {
                    g_autofree char *shown = cs_shown(f->policy);

                    return fail_at(error, CS_ERROR_INVALID, source, f->line,
                                   "invalid feature policy '%s'", shown);
                }
                policy = v;
            }
        }
        if (!f->name || !*f->name)
            return fail_at(error, CS_ERROR_INVALID, source, f->line,
                           "a <feature> has no name");
        /* long lists are checked through a set, so that a hostile input
         * with many features cannot make this quadratic */
        if (!seen && def->features->len >= 16) {
            seen = g_hash_table_new(g_str_hash, g_str_equal);
            for (guint k = 0; k < def->features->len; k++)
                g_hash_table_add(seen, g_array_index(def->features, CsCpuFeature, k).name);
        }
        if (seen ? g_hash_table_contains(seen, f->name) :
                   cs_cpu_def_find_feature(def, f->name) >= 0) {
            g_autofree char *shown = cs_shown(f->name);

            return fail_at(error, CS_ERROR_INVALID, source, f->line,
                           "the CPU feature '%s' is listed more than once", shown);
        }
        cs_cpu_def_append_feature(def, f->name, policy);
        if (seen)
            g_hash_table_add(seen, g_array_index(def->features, CsCpuFeature,
                                                 def->features->len - 1).name);
    }
    return TRUE;
}

/* The rules on a <cpu> element whose <feature> children are @features. */
static CsCpuDef *
build_def(const xmlNode *node, const FeatureList *features, const char *source,
          CsParseType type, GError **error)
{
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(GString) extra = g_string_new(NULL);
    g_autofree char *mode = NULL;
    g_autofree char *migratable = NULL;
    const xmlNode *model = NULL;
    CsCpuType cpu_type;

    g_return_val_if_fail(node != NULL, NULL);
    if (!source)
        source = "(CPU definition)";
    if (!cs_xml_is(node, "cpu")) {
        fail(error, CS_ERROR_PARSE, source, node, "expected a <cpu> element, not <%s>",
             (const char *) node->name);
        return NULL;
    }

    if (type == CS_PARSE_AUTO) {
        if (cs_xml_child(node, "arch")) {
            g_autofree char *match = cs_xml_prop(node, "match");

            if (match) {
                fail(error, CS_ERROR_INVALID, source, node,
                     "a <cpu> with <arch> (a host CPU) cannot have a 'match' "
                     "attribute");
                return NULL;
            }
            cpu_type = CS_CPU_TYPE_HOST;
        } else {
            cpu_type = CS_CPU_TYPE_GUEST;
        }
    } else {
        cpu_type = type == CS_PARSE_HOST ? CS_CPU_TYPE_HOST : CS_CPU_TYPE_GUEST;
    }
    def = cs_cpu_def_new(cpu_type);

    if ((mode = cs_xml_prop(node, "mode"))) {
        int v = cs_cpu_mode_from_string(mode);
        g_autofree char *shown = cs_shown(mode);

        if (cpu_type == CS_CPU_TYPE_HOST) {
            fail(error, CS_ERROR_INVALID, source, node,
                 "the 'mode' attribute is only allowed for a guest CPU");
            return NULL;
        }
        if (v < 0) {
            fail(error, CS_ERROR_INVALID, source, node, "invalid CPU mode '%s'", shown);
            return NULL;
        }
        def->mode = v;
    }

    if ((migratable = cs_xml_prop(node, "migratable"))) {
        if (strcmp(migratable, "on") != 0 && strcmp(migratable, "off") != 0) {
            g_autofree char *shown = cs_shown(migratable);

            fail(error, CS_ERROR_INVALID, source, node,
                 "invalid value '%s' for the attribute 'migratable' (expected 'on' "
                 "or 'off')", shown);
            return NULL;
        }
        if (cpu_type == CS_CPU_TYPE_HOST ||
            (def->mode != CS_CPU_MODE_HOST_PASSTHROUGH &&
             def->mode != CS_CPU_MODE_MAXIMUM)) {
            fail(error, CS_ERROR_INVALID, source, node,
                 "the 'migratable' attribute is only allowed with mode "
                 "'host-passthrough' or 'maximum'");
            return NULL;
        }
        def->migratable = strcmp(migratable, "on") == 0;
    }

    if (cpu_type == CS_CPU_TYPE_GUEST) {
        static const char *const matches[] = {
#define CS_NAME(id, name) [id] = name,
            CS_CPU_MATCHES(CS_NAME)
        };
        static const char *const checks[] = {
            CS_CPU_CHECKS(CS_NAME)
#undef CS_NAME
        };
        int v = -1;

        if (!prop_choice(node, "match", matches, G_N_ELEMENTS(matches), FALSE, &v,
                         source, error))
            return NULL;
        if (v >= 0)
            def->match = v;
        if (!prop_choice(node, "check", checks, G_N_ELEMENTS(checks), FALSE, &v,
                         source, error))
            return NULL;
        if (v >= 0)
            def->check = v;
    }

    if (cpu_type == CS_CPU_TYPE_HOST && !parse_host_parts(node, def, extra, source, error))
        return NULL;

    model = cs_xml_child(node, "model");
    def->model = node_string(model);
    if (!def->model && cpu_type == CS_CPU_TYPE_HOST) {
        fail(error, CS_ERROR_INVALID, source, node, "the host CPU has no <model>");
        return NULL;
    }
    if (cpu_type == CS_CPU_TYPE_GUEST && model &&
        def->mode != CS_CPU_MODE_HOST_PASSTHROUGH && def->mode != CS_CPU_MODE_MAXIMUM &&
        !parse_model_attrs(model, def, source, error))
        return NULL;

    def->vendor = node_string(cs_xml_child(node, "vendor"));
    if (def->vendor && !def->model) {
        fail(error, CS_ERROR_INVALID, source, node,
             "the CPU names a vendor but no model");
        return NULL;
    }

    if (!parse_topology(node, def, source, error) ||
        !parse_features(features, def, source, error) ||
        !parse_cache(node, extra, source, error) ||
        !parse_maxphysaddr(node, extra, source, error))
        return NULL;

    if (extra->len)
        def->extra_xml = g_strdup(extra->str);
    return g_steal_pointer(&def);
}

CsCpuDef *
cs_cpu_def_parse_node(const xmlNode *node, const char *source, CsParseType type,
                      GError **error)
{
    FeatureList features;
    CsCpuDef *def;

    g_return_val_if_fail(node != NULL, NULL);
    feature_list_init(&features);
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (cs_xml_is(c, "feature"))
            feature_list_add(&features, c, 0);
    }
    def = build_def(node, &features, source, type, error);
    feature_list_clear(&features);
    return def;
}

/* ---- The general reader -------------------------------------------------
 * libxml2's xmlTextReader goes through the document once without building
 * its tree. Of the <cpu> element it keeps what the rules look at: the
 * element with its attributes, the first child of each kind with its
 * attributes (and its text, for <arch>, <model> and <vendor>), and the
 * features as a list. That small tree is then read by build_def(), so the
 * rules and their messages are those of a whole tree, and memory stays in
 * proportion to what is kept. */

/* Children of <cpu> the rules look at; the second <cache> is an error. */
static const struct {
    const char *name;
    guint keep;
    gboolean text;
} kept_children[] = {
    { "arch", 1, TRUE },
    { "model", 1, TRUE },
    { "vendor", 1, TRUE },
    { "microcode", 1, FALSE },
    { "signature", 1, FALSE },
    { "topology", 1, FALSE },
    { "cache", 2, FALSE },
    { "maxphysaddr", 1, FALSE },
};

typedef struct {
    xmlDoc *doc;            /* holds the kept elements */
    xmlNode *cpu;
    FeatureList features;
} CpuSkeleton;

static void
skeleton_clear(CpuSkeleton *sk)
{
    if (sk->doc)
        xmlFreeDoc(sk->doc);
    sk->doc = NULL;
    sk->cpu = NULL;
    feature_list_clear(&sk->features);
}

/* A copy of element @node with its attributes, not its children. */
static xmlNode *
shallow_copy(CpuSkeleton *sk, const xmlNode *node, int line_offset)
{
    xmlNode *copy = xmlDocCopyNode((xmlNode *) node, sk->doc, 2);

    if (copy) {
        copy->line = node->line;
        if (copy->line > 0)
            copy->line = MIN(node->line + line_offset, G_MAXUINT16);
    }
    return copy;
}

static gboolean
is_text_type(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE ||
           type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* Reads the <cpu> element at the reader's position into @sk (lines moved
 * by @line_offset); the reader ends on its last node. FALSE when the XML
 * is not well-formed (libxml2 reported it) or libxml2 failed. */
static gboolean
skeleton_read(xmlTextReaderPtr r, CpuSkeleton *sk, int line_offset)
{
    const xmlNode *cpu = xmlTextReaderCurrentNode(r);
    int depth = xmlTextReaderDepth(r);
    guint counts[G_N_ELEMENTS(kept_children)] = { 0 };
    gboolean tsc_counter = FALSE;
    xmlNode *text_of = NULL;
    g_autoptr(GString) text = NULL;
    int ret;

    feature_list_init(&sk->features);
    if (!cpu || !(sk->doc = xmlNewDoc((const xmlChar *) "1.0")) ||
        !(sk->cpu = shallow_copy(sk, cpu, line_offset)))
        return FALSE;
    xmlDocSetRootElement(sk->doc, sk->cpu);
    if (xmlTextReaderIsEmptyElement(r))
        return TRUE;
    while ((ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        int d = xmlTextReaderDepth(r);
        const xmlNode *node;
        const char *name;
        xmlNode *copy = NULL;
        guint k;

        if (d == depth && type == XML_READER_TYPE_END_ELEMENT)
            break;
        if (text_of && d > depth + 1 && is_text_type(type)) {
            const xmlChar *v = xmlTextReaderConstValue(r);

            if (v)
                g_string_append(text, (const char *) v);
            continue;
        }
        if (text_of && d == depth + 1 && type == XML_READER_TYPE_END_ELEMENT) {
            if (text->len)
                xmlNodeAddContentLen(text_of, (const xmlChar *) text->str, (int) text->len);
            text_of = NULL;
            continue;
        }
        if (d != depth + 1 || type != XML_READER_TYPE_ELEMENT)
            continue;
        node = xmlTextReaderCurrentNode(r);
        if (!node)
            return FALSE;
        name = (const char *) node->name;
        if (strcmp(name, "feature") == 0) {
            feature_list_add(&sk->features, node, line_offset);
            continue;
        }
        if (strcmp(name, "counter") == 0) {
            g_autofree char *counter = NULL;

            /* the first <counter name='tsc'> is the one read */
            if (tsc_counter || !(counter = cs_xml_prop(node, "name")) ||
                strcmp(counter, "tsc") != 0)
                continue;
            tsc_counter = TRUE;
            copy = shallow_copy(sk, node, line_offset);
        } else {
            for (k = 0; k < G_N_ELEMENTS(kept_children); k++) {
                if (strcmp(name, kept_children[k].name) == 0)
                    break;
            }
            if (k == G_N_ELEMENTS(kept_children) || counts[k] == kept_children[k].keep)
                continue;
            counts[k]++;
            copy = shallow_copy(sk, node, line_offset);
            if (copy && kept_children[k].text && counts[k] == 1 &&
                !xmlTextReaderIsEmptyElement(r)) {
                text_of = copy;
                if (text)
                    g_string_truncate(text, 0);
                else
                    text = g_string_new(NULL);
            }
        }
        if (!copy)
            return FALSE;
        xmlAddChild(sk->cpu, copy);
    }
    return ret == 1;
}

CsCpuDef *
cs_cpu_def_parse_reader(xmlTextReaderPtr reader, const char *source, CsParseType type,
                        gboolean *out_xml_failed, GError **error)
{
    CpuSkeleton sk = { 0 };
    CsCpuDef *def = NULL;

    *out_xml_failed = FALSE;
    if (!skeleton_read(reader, &sk, 0))
        *out_xml_failed = TRUE;
    else
        def = build_def(sk.cpu, &sk.features, source, type, error);
    skeleton_clear(&sk);
    return def;
}

/* The document: its first <cpu> element (in document order) is read, and
 * the rest to the end, so that a document that is not well-formed is
 * reported as such whatever its <cpu> holds. */
static CsCpuDef *
slow_parse(const char *xml, gsize len, const char *source, CsParseType type,
           int line_offset, GError **error)
{
    CsXmlErrors errs = { 0 };
    g_autoptr(xmlTextReader) r = NULL;
    CpuSkeleton sk = { 0 };
    gboolean doctype = FALSE, root_seen = FALSE, found = FALSE;
    CsCpuDef *def = NULL;
    int ret = -1;

    cs_xml_errors_begin(&errs);
    if ((r = cs_xml_reader_new(xml, len, source, &errs))) {
        while ((ret = xmlTextReaderRead(r)) == 1) {
            int t = xmlTextReaderNodeType(r);

            if (t == XML_READER_TYPE_DOCUMENT_TYPE) {
                doctype = TRUE;
                break;
            }
            if (t != XML_READER_TYPE_ELEMENT)
                continue;
            root_seen = TRUE;
            if (found || !xmlStrEqual(xmlTextReaderConstLocalName(r),
                                      (const xmlChar *) "cpu"))
                continue;
            found = TRUE;
            if (!skeleton_read(r, &sk, line_offset)) {
                ret = -1;
                break;
            }
        }
    }
    cs_xml_errors_end(&errs);
    if (errs.line > 0)
        errs.line += line_offset;
    if (errs.other_line > 0)
        errs.other_line += line_offset;
    if (doctype)
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: DOCTYPE declarations are not allowed", source);
    else if (ret != 0 || errs.message)
        cs_xml_errors_set(&errs, source,
                          r ? xmlTextReaderGetParserLineNumber(r) + line_offset : 0, error);
    else if (!root_seen)
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: no root element", source);
    else if (!found)
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: the document holds no <cpu> element", source);
    else
        def = build_def(sk.cpu, &sk.features, source, type, error);
    cs_xml_errors_clear(&errs);
    skeleton_clear(&sk);
    return def;
}

/* ---- Fast path ---------------------------------------------------------
 * Most inputs are a bare <cpu> holding <arch>, <model>, <vendor>,
 * <microcode>, <signature>, <topology> and <feature> elements (what libvirt
 * and cpusel print). Those are read here without building a libxml2
 * document, which costs ten times the rest of parsing. The reader accepts a
 * strict subset of XML and of the rules above; anything else (a comment in
 * an odd place, an entity or character reference, a non-ASCII byte, a
 * carriage return, another element, an unknown attribute) and every error
 * sends the input to the libxml2 path, so results and messages are the same
 * as that path's. */

typedef enum {
    FAST_CPU, FAST_ARCH, FAST_MODEL, FAST_VENDOR, FAST_MICROCODE, FAST_SIGNATURE,
    FAST_TOPOLOGY, FAST_FEATURE, FAST_N_KINDS
} FastKind;

#define FAST_MAX_ATTRS 4
#define FAST_MAX_ELEMS 512
/* Longest run of white space, comment, text or attribute value the fast
 * path takes: far below libxml2's limits (10,000,000 bytes for a text
 * node, an attribute value or a comment), which longer inputs are left to. */
#define FAST_MAX_RUN 4096

/* Elements the fast path knows, each with the attributes it may have (slot
 * order) and whether it holds text. */
static const struct {
    const char *name;
    gboolean text;
    const char *attrs[FAST_MAX_ATTRS];
} fast_kinds[FAST_N_KINDS] = {
    [FAST_CPU] = { "cpu", FALSE, { "mode", "match", "check", NULL } },
    [FAST_ARCH] = { "arch", TRUE, { NULL } },
    [FAST_MODEL] = { "model", TRUE, { "fallback", "vendor_id", NULL } },
    [FAST_VENDOR] = { "vendor", TRUE, { NULL } },
    [FAST_MICROCODE] = { "microcode", FALSE, { "version", NULL } },
    [FAST_SIGNATURE] = { "signature", FALSE, { "family", "model", "stepping", NULL } },
    [FAST_TOPOLOGY] = { "topology", FALSE, { "sockets", "dies", "cores", "threads" } },
    [FAST_FEATURE] = { "feature", FALSE, { "name", "policy", NULL } },
};

typedef struct {
    const char *s;      /* NULL: absent */
    gsize len;
} FastStr;

typedef struct {
    FastKind kind;
    FastStr attr[FAST_MAX_ATTRS];
    FastStr text;       /* raw text of a text element (may be empty) */
} FastElem;

typedef struct {
    const char *p;
    const char *end;
    FastElem root;
    FastElem *elems;
    guint n_elems;
    guint cap;
} FastDoc;

static inline gboolean
fast_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* A byte the fast path takes in text, attribute values and comments. */
static inline gboolean
fast_plain(char c)
{
    return (c >= 0x20 && c < 0x7f && c != '<' && c != '&' && c != '>') ||
           c == '\t' || c == '\n';
}

static inline gboolean
fast_looking_at(const FastDoc *d, const char *s, gsize len)
{
    return (gsize) (d->end - d->p) >= len && memcmp(d->p, s, len) == 0;
}

/* Skips white space; FALSE on a run longer than FAST_MAX_RUN. */
static inline gboolean
fast_skip_ws(FastDoc *d)
{
    const char *start = d->p;

    while (d->p < d->end && fast_is_ws(*d->p))
        d->p++;
    return d->p - start <= FAST_MAX_RUN;
}

/* Whitespace and well-formed plain comments, none too long. */
static gboolean
fast_skip_misc(FastDoc *d)
{
    for (;;) {
        const char *start;

        if (!fast_skip_ws(d))
            return FALSE;
        if (!fast_looking_at(d, "<!--", 4))
            return TRUE;
        for (d->p += 4, start = d->p;; d->p++) {
            if (d->p + 1 >= d->end || d->p - start > FAST_MAX_RUN)
                return FALSE;
            if (d->p[0] == '-' && d->p[1] == '-') {
                if (d->p + 2 >= d->end || d->p[2] != '>')
                    return FALSE;
                d->p += 3;
                break;
            }
            if (!fast_plain(*d->p) && *d->p != '>' && *d->p != '<' && *d->p != '&')
                return FALSE;
        }
    }
}

static gboolean
fast_name(FastDoc *d, FastStr *out)
{
    const char *s = d->p;

    while (d->p < d->end && (g_ascii_isalnum(*d->p) || *d->p == '_' || *d->p == '-'))
        d->p++;
    out->s = s;
    out->len = (gsize) (d->p - s);
    return out->len > 0;
}

static gboolean
fast_str_is(const FastStr *s, const char *lit)
{
    return s->s && strlen(lit) == s->len && memcmp(s->s, lit, s->len) == 0;
}

/* After '<' and the name: attributes up to '>' or '/>'. */
static gboolean
fast_attrs(FastDoc *d, FastElem *e, gboolean *out_empty)
{
    for (;;) {
        gboolean ws = FALSE;
        FastStr name = { 0 };
        char quote;
        const char *v;
        guint slot;

        v = d->p;
        if (!fast_skip_ws(d))
            return FALSE;
        ws = d->p > v;
        if (d->p >= d->end)
            return FALSE;
        if (*d->p == '>') {
            d->p++;
            *out_empty = FALSE;
            return TRUE;
        }
        if (fast_looking_at(d, "/>", 2)) {
            d->p += 2;
            *out_empty = TRUE;
            return TRUE;
        }
        if (!ws || !fast_name(d, &name))
            return FALSE;
        for (slot = 0; slot < FAST_MAX_ATTRS; slot++) {
            if (fast_kinds[e->kind].attrs[slot] &&
                fast_str_is(&name, fast_kinds[e->kind].attrs[slot]))
                break;
        }
        if (slot == FAST_MAX_ATTRS || e->attr[slot].s)
            return FALSE;
        if (!fast_skip_ws(d) || d->p >= d->end || *d->p != '=')
            return FALSE;
        d->p++;
        if (!fast_skip_ws(d) || d->p >= d->end || (*d->p != '\'' && *d->p != '"'))
            return FALSE;
        quote = *d->p++;
        v = d->p;
        /* no normalization: tabs and newlines in values go the slow way */
        while (d->p < d->end && *d->p != quote) {
            if (!fast_plain(*d->p) || *d->p == '\t' || *d->p == '\n')
                return FALSE;
            d->p++;
        }
        if (d->p >= d->end || d->p - v > FAST_MAX_RUN)
            return FALSE;
        e->attr[slot].s = v;
        e->attr[slot].len = (gsize) (d->p - v);
        d->p++;
    }
}

/* '</' name ws* '>' */
static gboolean
fast_end_tag(FastDoc *d, const char *name)
{
    FastStr n = { 0 };

    if (!fast_looking_at(d, "</", 2))
        return FALSE;
    d->p += 2;
    if (!fast_name(d, &n) || !fast_str_is(&n, name) || !fast_skip_ws(d))
        return FALSE;
    if (d->p >= d->end || *d->p != '>')
        return FALSE;
    d->p++;
    return TRUE;
}

/* '<' name attrs ... of a known element (the '<' is at d->p). */
static gboolean
fast_element(FastDoc *d, FastElem *e, gboolean root)
{
    FastStr name = { 0 };
    gboolean empty = FALSE;
    guint k;

    d->p++;
    if (!fast_name(d, &name))
        return FALSE;
    for (k = root ? FAST_CPU : FAST_ARCH; k < (root ? FAST_ARCH : FAST_N_KINDS); k++) {
        if (fast_str_is(&name, fast_kinds[k].name))
            break;
    }
    if (k == (root ? FAST_ARCH : FAST_N_KINDS))
        return FALSE;
    memset(e, 0, sizeof(*e));
    e->kind = k;
    if (!fast_attrs(d, e, &empty))
        return FALSE;
    if (empty) {
        e->text.s = d->p;
        return TRUE;
    }
    if (root) {
        for (;;) {
            if (!fast_skip_misc(d) || d->p >= d->end || *d->p != '<')
                return FALSE;
            if (d->p + 1 < d->end && d->p[1] == '/')
                return fast_end_tag(d, "cpu");
            if (d->n_elems == d->cap ||
                !fast_element(d, &d->elems[d->n_elems], FALSE))
                return FALSE;
            d->n_elems++;
        }
    }
    e->text.s = d->p;
    while (d->p < d->end && *d->p != '<') {
        if (!fast_plain(*d->p))
            return FALSE;
        d->p++;
    }
    e->text.len = (gsize) (d->p - e->text.s);
    if (e->text.len > FAST_MAX_RUN)
        return FALSE;
    if (e->text.len && !fast_kinds[k].text) {
        for (gsize i = 0; i < e->text.len; i++) {
            if (!fast_is_ws(e->text.s[i]))
                return FALSE;
        }
    }
    return fast_end_tag(d, fast_kinds[k].name);
}

static const FastElem *
fast_child(const FastDoc *d, FastKind kind)
{
    for (guint i = 0; i < d->n_elems; i++) {
        if (d->elems[i].kind == kind)
            return &d->elems[i];
    }
    return NULL;
}

/* NUL-terminated copy into @buf (of @size bytes); FALSE if absent or too long. */
static gboolean
fast_copy(const FastStr *s, char *buf, gsize size)
{
    if (!s->s || s->len >= size)
        return FALSE;
    memcpy(buf, s->s, s->len);
    buf[s->len] = '\0';
    return TRUE;
}

/* XPath string() of a text element: NULL when absent or empty. */
static char *
fast_text(const FastElem *e)
{
    if (!e || !e->text.len)
        return NULL;
    return g_strndup(e->text.s, e->text.len);
}

/* An attribute read as prop_number() reads it; FALSE sends the input the
 * slow way (invalid, or absent and @required). */
static gboolean
fast_number(const FastElem *e, guint slot, gboolean required, gboolean nonzero,
            guint64 max, guint64 *out)
{
    char buf[64];

    if (!e->attr[slot].s)
        return !required;
    return fast_copy(&e->attr[slot], buf, sizeof(buf)) && parse_decimal(buf, max, out) &&
           !(nonzero && *out == 0);
}

/* An attribute that must be one of @values, as prop_choice(). */
static gboolean
fast_choice(const FastElem *e, guint slot, const char *const *values, guint n, int *out)
{
    *out = -1;
    if (!e->attr[slot].s)
        return TRUE;
    for (guint i = 0; i < n; i++) {
        if (fast_str_is(&e->attr[slot], values[i])) {
            *out = i;
            return TRUE;
        }
    }
    return FALSE;
}

/* Open addressing over the element indices of the feature names seen so
 * far (a linear search per feature is quadratic in long lists). */
#define FAST_SEEN_SLOTS (2 * FAST_MAX_ELEMS)

/* Records the name of feature element @i; FALSE if an earlier one has it. */
static gboolean
fast_first_name(const FastDoc *d, guint16 *seen, guint i)
{
    const FastStr *name = &d->elems[i].attr[0];
    guint32 h = 2166136261u;    /* FNV-1a */

    for (gsize k = 0; k < name->len; k++)
        h = (h ^ (guchar) name->s[k]) * 16777619u;
    for (guint slot = h % FAST_SEEN_SLOTS;; slot = (slot + 1) % FAST_SEEN_SLOTS) {
        const FastStr *other;

        if (seen[slot] == G_MAXUINT16) {
            seen[slot] = i;
            return TRUE;
        }
        other = &d->elems[seen[slot]].attr[0];
        if (other->len == name->len && memcmp(other->s, name->s, name->len) == 0)
            return FALSE;
    }
}

/* The rules of cs_cpu_def_parse_node() on the elements read; NULL (without
 * an error) whenever the slow path must decide. */
static CsCpuDef *
fast_build(const FastDoc *d, CsParseType type)
{
    static const char *const matches[] = {
#define CS_NAME(id, name) [id] = name,
        CS_CPU_MATCHES(CS_NAME)
    };
    static const char *const checks[] = {
        CS_CPU_CHECKS(CS_NAME)
#undef CS_NAME
    };
    g_autoptr(CsCpuDef) def = NULL;
    const FastElem *root = &d->root;
    const FastElem *model = fast_child(d, FAST_MODEL);
    const FastElem *topo = fast_child(d, FAST_TOPOLOGY);
    CsCpuType cpu_type;
    guint16 seen[FAST_SEEN_SLOTS];
    char buf[128];
    int v = -1;

    if (type == CS_PARSE_AUTO) {
        if (fast_child(d, FAST_ARCH) && root->attr[1].s)
            return NULL;
        cpu_type = fast_child(d, FAST_ARCH) ? CS_CPU_TYPE_HOST : CS_CPU_TYPE_GUEST;
    } else {
        cpu_type = type == CS_PARSE_HOST ? CS_CPU_TYPE_HOST : CS_CPU_TYPE_GUEST;
    }
    def = cs_cpu_def_new(cpu_type);
    if (root->attr[0].s) {
        if (cpu_type == CS_CPU_TYPE_HOST || !fast_copy(&root->attr[0], buf, sizeof(buf)) ||
            (v = cs_cpu_mode_from_string(buf)) < 0)
            return NULL;
        def->mode = v;
    }
    if (cpu_type == CS_CPU_TYPE_GUEST) {
        if (!fast_choice(root, 1, matches, G_N_ELEMENTS(matches), &v))
            return NULL;
        if (v >= 0)
            def->match = v;
        if (!fast_choice(root, 2, checks, G_N_ELEMENTS(checks), &v))
            return NULL;
        if (v >= 0)
            def->check = v;
    }

    if (cpu_type == CS_CPU_TYPE_HOST) {
        const FastElem *mc = fast_child(d, FAST_MICROCODE);
        const FastElem *sig = fast_child(d, FAST_SIGNATURE);
        g_autofree char *arch = fast_text(fast_child(d, FAST_ARCH));

        if (!arch || !in_list(known_archs, G_N_ELEMENTS(known_archs), arch))
            return NULL;
        def->arch = g_steal_pointer(&arch);
        if (mc && mc->attr[0].s && mc->attr[0].len) {
            guint64 version = 0;

            if (!fast_number(mc, 0, TRUE, FALSE, G_MAXUINT, &version))
                return NULL;
            def->has_microcode = TRUE;
            def->microcode = version;
        }
        if (sig) {
            guint64 family = 0, fmodel = 0, stepping = 0;

            if (!fast_number(sig, 0, TRUE, TRUE, G_MAXUINT, &family) ||
                !fast_number(sig, 1, TRUE, FALSE, G_MAXUINT, &fmodel) ||
                !fast_number(sig, 2, TRUE, FALSE, G_MAXUINT, &stepping))
                return NULL;
            def->sig_family = family;
            def->sig_model = fmodel;
            def->sig_stepping = stepping;
        }
    }

    def->model = fast_text(model);
    if (!def->model && cpu_type == CS_CPU_TYPE_HOST)
        return NULL;
    if (cpu_type == CS_CPU_TYPE_GUEST && model &&
        def->mode != CS_CPU_MODE_HOST_PASSTHROUGH && def->mode != CS_CPU_MODE_MAXIMUM) {
        if (model->attr[0].len) {
            if (!fast_copy(&model->attr[0], buf, sizeof(buf)) ||
                (v = cs_cpu_fallback_from_string(buf)) < 0)
                return NULL;
            def->fallback = v;
        }
        if (model->attr[1].len) {
            if (model->attr[1].len != 12 || memchr(model->attr[1].s, ',', 12))
                return NULL;
            def->vendor_id = g_strndup(model->attr[1].s, 12);
        }
    }
    def->vendor = fast_text(fast_child(d, FAST_VENDOR));
    if (def->vendor && !def->model)
        return NULL;

    if (topo) {
        guint64 sockets = 0, dies = 1, cores = 0, threads = 0;

        if (!fast_number(topo, 0, TRUE, TRUE, G_MAXUINT, &sockets) ||
            !fast_number(topo, 1, FALSE, TRUE, G_MAXUINT, &dies) ||
            !fast_number(topo, 2, TRUE, TRUE, G_MAXUINT, &cores) ||
            !fast_number(topo, 3, TRUE, TRUE, G_MAXUINT, &threads))
            return NULL;
        def->sockets = sockets;
        def->dies = dies;
        def->cores = cores;
        def->threads = threads;
    }

    memset(seen, 0xff, sizeof(seen));
    for (guint i = 0; i < d->n_elems; i++) {
        const FastElem *f = &d->elems[i];
        CsFeaturePolicy policy = CS_FEATURE_POLICY_NONE;

        if (f->kind != FAST_FEATURE)
            continue;
        if (!def->model && cpu_type == CS_CPU_TYPE_GUEST && def->mode == CS_CPU_MODE_CUSTOM)
            return NULL;
        if (cpu_type == CS_CPU_TYPE_GUEST) {
            policy = CS_FEATURE_REQUIRE;
            if (f->attr[1].s) {
                if (!fast_copy(&f->attr[1], buf, sizeof(buf)) ||
                    (v = cs_feature_policy_from_string(buf)) < 0)
                    return NULL;
                policy = v;
            }
        }
        if (!fast_copy(&f->attr[0], buf, sizeof(buf)) || !*buf ||
            !fast_first_name(d, seen, i))
            return NULL;
        cs_cpu_def_append_feature(def, buf, policy);
    }
    return g_steal_pointer(&def);
}

/* Returns: (transfer full) the CPU of @xml if the fast path can read it. */
static CsCpuDef *
fast_parse(const char *xml, gsize len, CsParseType type)
{
    FastElem elems[64];
    g_autofree FastElem *heap = NULL;
    FastDoc d = { .p = xml, .end = xml + len, .elems = elems,
                  .cap = G_N_ELEMENTS(elems) };

    if (!fast_skip_misc(&d) || !fast_looking_at(&d, "<cpu", 4))
        return NULL;
    /* a short pre-scan sizes the element array */
    {
        guint n = 0;

        for (const char *p = xml; p < d.end; p++)
            n += *p == '<';
        if (n > G_N_ELEMENTS(elems)) {
            if (n > FAST_MAX_ELEMS)
                return NULL;
            d.elems = heap = g_new(FastElem, n);
            d.cap = n;
        }
    }
    if (!fast_element(&d, &d.root, TRUE) || !fast_skip_misc(&d) || d.p != d.end)
        return NULL;
    return fast_build(&d, type);
}

/* Whether the document's root element is <domainCapabilities> (after an
 * optional BOM, XML declaration, comments and white space). */
static gboolean
root_is_domcaps(const char *xml, gsize len)
{
    const char *p = xml, *end = xml + len;

    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        if (g_ascii_isspace(*p)) {
            p++;
        } else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *c = g_strstr_len(p + 4, end - p - 4, "-->");

            if (!c)
                return FALSE;
            p = c + 3;
        } else if (end - p >= 2 && memcmp(p, "<?", 2) == 0) {
            const char *c = g_strstr_len(p + 2, end - p - 2, "?>");

            if (!c)
                return FALSE;
            p = c + 2;
        } else {
            static const char tag[] = "<domainCapabilities";
            gsize n = sizeof(tag) - 1;

            return (gsize) (end - p) > n && memcmp(p, tag, n) == 0 &&
                   (g_ascii_isspace(p[n]) || p[n] == '>' || p[n] == '/');
        }
    }
    return FALSE;
}

/* A domain capabilities document: its host-model CPU, the CPU the
 * hypervisor offers (as virsh hypervisor-cpu-compare judges against it),
 * as a custom guest CPU with the document's <arch>. */
static CsCpuDef *
parse_domcaps(xmlDoc *doc, const char *source, GError **error)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    const xmlNode *cpu = cs_xml_child(root, "cpu");
    const xmlNode *arch = cs_xml_child(root, "arch");
    const xmlNode *mode = NULL;
    g_autoptr(xmlDoc) tmp = NULL;
    xmlNode *node;
    CsCpuDef *def;

    for (const xmlNode *c = cpu ? cpu->children : NULL; c; c = c->next) {
        g_autofree char *name = NULL;

        if (cs_xml_is(c, "mode") && (name = cs_xml_prop(c, "name")) &&
            strcmp(name, "host-model") == 0) {
            mode = c;
            break;
        }
    }
    if (mode) {
        g_autofree char *supported = cs_xml_prop(mode, "supported");

        if (g_strcmp0(supported, "no") == 0)
            mode = NULL;
    }
    if (!mode || !cs_xml_child(mode, "model")) {
        fail(error, CS_ERROR_PARSE, source, cpu ? cpu : root,
             "the domain capabilities offer no host-model CPU");
        return NULL;
    }
    /* the mode's children as a <cpu mode='custom' match='exact'> */
    tmp = xmlNewDoc((const xmlChar *) "1.0");
    node = xmlNewDocNode(tmp, NULL, (const xmlChar *) "cpu", NULL);
    xmlDocSetRootElement(tmp, node);
    xmlNewProp(node, (const xmlChar *) "mode", (const xmlChar *) "custom");
    xmlNewProp(node, (const xmlChar *) "match", (const xmlChar *) "exact");
    for (const xmlNode *c = mode->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE &&
            (cs_xml_is(c, "model") || cs_xml_is(c, "vendor") || cs_xml_is(c, "feature")))
            xmlAddChild(node, xmlDocCopyNode((xmlNode *) c, tmp, 1));
    }
    if (!(def = cs_cpu_def_parse_node(node, source, CS_PARSE_GUEST, error)))
        return NULL;
    if (arch && arch->children && arch->children->content)
        def->arch = g_strstrip(g_strdup((const char *) arch->children->content));
    return def;
}

CsCpuDef *
cs_cpu_def_parse_xml_at(const char *xml, gsize len, const char *source, CsParseType type,
                        int line_offset, GError **error)
{
    g_autofree char *owned_source = NULL;
    CsCpuDef *fast = NULL;

    g_return_val_if_fail(xml != NULL || len == 0, NULL);
    if (!source)
        source = "(CPU definition)";
    if (len <= G_MAXINT && (fast = fast_parse(xml, len, type)))
        return fast;
    source = cs_source_name(source, &owned_source);
    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large", source);
        return NULL;
    }
    if (root_is_domcaps(xml ? xml : "", len)) {
        g_autoptr(xmlDoc) doc = cs_xml_read(xml, len, source, error);

        return doc ? parse_domcaps(doc, source, error) : NULL;
    }
    return slow_parse(xml ? xml : "", len, source, type, line_offset, error);
}

CsCpuDef *
cs_cpu_def_parse_xml(const char *xml, gsize len, const char *source, CsParseType type,
                     GError **error)
{
    return cs_cpu_def_parse_xml_at(xml, len, source, type, 0, error);
}

CsCpuDef *
cs_cpu_def_load_file(const char *path, CsParseType type, GError **error)
{
    g_autofree char *xml = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    if (!(xml = cs_input_read_file(path, 0, CS_INPUT_DEFAULT, &len, error)))
        return NULL;
    return cs_cpu_def_parse_xml(xml, len, path, type, error);
}
