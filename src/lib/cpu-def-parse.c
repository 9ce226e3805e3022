/* libcpusel: libvirt's <cpu> XML, read (writing lives in cpu-def-xml.c)
 *
 * The rules are libvirt 9.0's virCPUDefParseXML: what it refuses, we refuse
 * (with our own messages); what it ignores, we ignore. Model, feature and
 * vendor names are not checked here: that needs a map and happens in the
 * operations, as in libvirt.
 */
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include "cpu-def-private.h"
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
        g_autofree char *shown = g_strescape(v, NULL);

        if (strlen(shown) > 60)
            strcpy(shown + 57, "...");
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
        g_autofree char *shown = g_strescape(v, NULL);

        if (strlen(shown) > 60)
            strcpy(shown + 57, "...");
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
        g_autofree char *shown = g_strescape(arch, NULL);

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
            g_autofree char *shown = g_strescape(fallback, NULL);

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

static gboolean
parse_features(const xmlNode *cpu, CsCpuDef *def, const char *source, GError **error)
{
    g_autoptr(GHashTable) seen = NULL;

    for (const xmlNode *c = cpu->children; c; c = c->next) {
        g_autofree char *name = NULL;
        g_autofree char *policy_str = NULL;
        CsFeaturePolicy policy = CS_FEATURE_POLICY_NONE;

        if (!cs_xml_is(c, "feature"))
            continue;
        if (!def->model && def->type == CS_CPU_TYPE_GUEST &&
            def->mode == CS_CPU_MODE_CUSTOM)
            return fail(error, CS_ERROR_INVALID, source, c,
                        "features are listed but the CPU has no model");
        if (def->type == CS_CPU_TYPE_GUEST) {
            policy_str = cs_xml_prop(c, "policy");
            if (!policy_str) {
                policy = CS_FEATURE_REQUIRE;
            } else {
                int v = cs_feature_policy_from_string(policy_str);

                if (v < 0) {
                    g_autofree char *shown = g_strescape(policy_str, NULL);

                    return fail(error, CS_ERROR_INVALID, source, c,
                                "invalid feature policy '%s'", shown);
                }
                policy = v;
            }
        }
        name = cs_xml_prop(c, "name");
        if (!name || !*name)
            return fail(error, CS_ERROR_INVALID, source, c,
                        "a <feature> has no name");
        /* long lists are checked through a set, so that a hostile input
         * with many features cannot make this quadratic */
        if (!seen && def->features->len >= 16) {
            seen = g_hash_table_new(g_str_hash, g_str_equal);
            for (guint i = 0; i < def->features->len; i++)
                g_hash_table_add(seen, g_array_index(def->features, CsCpuFeature, i).name);
        }
        if (seen ? g_hash_table_contains(seen, name) : cs_cpu_def_find_feature(def, name) >= 0) {
            g_autofree char *shown = g_strescape(name, NULL);

            return fail(error, CS_ERROR_INVALID, source, c,
                        "the CPU feature '%s' is listed more than once", shown);
        }
        cs_cpu_def_append_feature(def, name, policy);
        if (seen)
            g_hash_table_add(seen, g_array_index(def->features, CsCpuFeature,
                                                 def->features->len - 1).name);
    }
    return TRUE;
}

CsCpuDef *
cs_cpu_def_parse_node(const xmlNode *node, const char *source, CsParseType type,
                      GError **error)
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
        g_autofree char *shown = g_strescape(mode, NULL);

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
            g_autofree char *shown = g_strescape(migratable, NULL);

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
        !parse_features(node, def, source, error) ||
        !parse_cache(node, extra, source, error) ||
        !parse_maxphysaddr(node, extra, source, error))
        return NULL;

    if (extra->len)
        def->extra_xml = g_strdup(extra->str);
    return g_steal_pointer(&def);
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

/* Whitespace and well-formed plain comments. */
static gboolean
fast_skip_misc(FastDoc *d)
{
    for (;;) {
        while (d->p < d->end && fast_is_ws(*d->p))
            d->p++;
        if (!fast_looking_at(d, "<!--", 4))
            return TRUE;
        for (d->p += 4;; d->p++) {
            if (d->p + 1 >= d->end)
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

        while (d->p < d->end && fast_is_ws(*d->p)) {
            d->p++;
            ws = TRUE;
        }
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
        while (d->p < d->end && fast_is_ws(*d->p))
            d->p++;
        if (d->p >= d->end || *d->p != '=')
            return FALSE;
        d->p++;
        while (d->p < d->end && fast_is_ws(*d->p))
            d->p++;
        if (d->p >= d->end || (*d->p != '\'' && *d->p != '"'))
            return FALSE;
        quote = *d->p++;
        v = d->p;
        /* no normalization: tabs and newlines in values go the slow way */
        while (d->p < d->end && *d->p != quote) {
            if (!fast_plain(*d->p) || *d->p == '\t' || *d->p == '\n')
                return FALSE;
            d->p++;
        }
        if (d->p >= d->end)
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
    if (!fast_name(d, &n) || !fast_str_is(&n, name))
        return FALSE;
    while (d->p < d->end && fast_is_ws(*d->p))
        d->p++;
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

CsCpuDef *
cs_cpu_def_parse_xml(const char *xml, gsize len, const char *source, CsParseType type,
                     GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    CsCpuDef *fast = NULL;
    xmlNode *cpu;

    g_return_val_if_fail(xml != NULL, NULL);
    if (!source)
        source = "(CPU definition)";
    if (len <= G_MAXINT && (fast = fast_parse(xml, len, type)))
        return fast;
    if (!(doc = cs_xml_read(xml, len, source, error)))
        return NULL;
    if (!(cpu = cs_xml_find(xmlDocGetRootElement(doc), "cpu"))) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: the document holds no <cpu> element", source);
        return NULL;
    }
    return cs_cpu_def_parse_node(cpu, source, type, error);
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
