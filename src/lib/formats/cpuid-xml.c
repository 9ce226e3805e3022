/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: libvirt's <cpudata arch='x86'> format, read and written */
#include <string.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include "core/cpuid-data-private.h"
#include "core/error-private.h"
#include "formats/input-private.h"
#include "xml-util.h"

static gboolean
parse_cpuid(const xmlNode *node, CsCpuidData *data, const char *source,
            GError **error)
{
    guint64 v[6] = { 0 };
    static const char *const names[] = { "eax_in", "ecx_in", "eax", "ebx", "ecx", "edx" };
    CsCpuidLeaf leaf;

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!cs_xml_prop_uint(node, names[i], i == 0, G_MAXUINT32, &v[i], NULL,
                              source, error))
            return FALSE;
    }
    leaf = (CsCpuidLeaf) { .eax_in = v[0], .ecx_in = v[1], .eax = v[2],
                           .ebx = v[3], .ecx = v[4], .edx = v[5] };
    cs_cpuid_data_append_unsorted_leaf(data, &leaf);
    return TRUE;
}

static gboolean
parse_msr(const xmlNode *node, CsCpuidData *data, const char *source,
          GError **error)
{
    guint64 index = 0, eax = 0, edx = 0;
    CsMsr msr;

    if (!cs_xml_prop_uint(node, "index", TRUE, G_MAXUINT32, &index, NULL, source, error) ||
        !cs_xml_prop_uint(node, "eax", TRUE, G_MAXUINT32, &eax, NULL, source, error) ||
        !cs_xml_prop_uint(node, "edx", TRUE, G_MAXUINT32, &edx, NULL, source, error))
        return FALSE;
    msr = (CsMsr) { .index = index, .eax = eax, .edx = edx };
    cs_cpuid_data_append_unsorted_msr(data, &msr);
    return TRUE;
}

/* Shared with the CPU map loader: reads the <cpuid>/<msr> children of @node
 * into @data (aliases are skipped). */
gboolean cs_cpuid_data_parse_items(const xmlNode *node, CsCpuidData *data,
                                   const char *source, GError **error);

gboolean
cs_cpuid_data_parse_items(const xmlNode *node, CsCpuidData *data,
                          const char *source, GError **error)
{
    guint n = 0;

    for (const xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (cs_xml_is(c, "cpuid")) {
            if (!parse_cpuid(c, data, source, error))
                return FALSE;
        } else if (cs_xml_is(c, "msr")) {
            if (!parse_msr(c, data, source, error))
                return FALSE;
        } else if (cs_xml_is(c, "alias")) {
            continue;
        } else {
            g_autofree char *name = cs_shown((const char *) c->name);

            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: unexpected element <%s> in <%s>", source, c->line,
                        name, (const char *) node->name);
            return FALSE;
        }
        n++;
    }
    if (n == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: <%s> holds no <cpuid> or <msr> data", source,
                    node->line, (const char *) node->name);
        return FALSE;
    }
    cs_cpuid_data_sort_merge(data);
    return TRUE;
}

/* A fast reader for the plain form of <cpudata> that libvirt's dumps and
 * `cpusel dump` write. It accepts a strict subset of XML only: comments
 * (printable ASCII) and whitespace around and inside one <cpudata arch='...'>
 * element that holds self-closed <cpuid>/<msr> elements with the known
 * attributes, whose values are letters, digits and '_'. Anything else,
 * including every input that is malformed or has bad values, is left to
 * the libxml2 reader, so results and error messages stay the same. */
typedef struct {
    const char *p;
    const char *end;
} Scan;

#define FAST_MAX_ATTRS 6
/* Longest run of white space, comment or attribute value the fast reader
 * takes: far below libxml2's limits (10,000,000 bytes for a text node, an
 * attribute value or a comment), which longer inputs are left to. */
#define FAST_MAX_RUN 4096

static inline gboolean
fast_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline gboolean
fast_is_word(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

/* TRUE when the @len bytes at @name spell @lit. */
static inline gboolean
fast_name_is(const char *lit, const char *name, gsize len)
{
    gsize i;

    for (i = 0; i < len; i++) {
        if (lit[i] != name[i])
            return FALSE;
    }
    return lit[i] == '\0';
}

static inline gboolean
fast_has(const Scan *s, const char *lit, gsize n)
{
    if ((gsize) (s->end - s->p) < n)
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        if (s->p[i] != lit[i])
            return FALSE;
    }
    return TRUE;
}

/* Skips white space; FALSE on a run longer than FAST_MAX_RUN. */
static inline gboolean
fast_skip_space(Scan *s)
{
    const char *start = s->p;

    while (s->p < s->end && fast_is_space(*s->p))
        s->p++;
    return s->p - start <= FAST_MAX_RUN;
}

/* Skips whitespace and comments; FALSE on a malformed comment or a run too
 * long for the fast reader. */
static gboolean
fast_skip_misc(Scan *s)
{
    for (;;) {
        const char *start;

        if (!fast_skip_space(s))
            return FALSE;
        if (!fast_has(s, "<!--", 4))
            return TRUE;
        s->p += 4;
        start = s->p;
        for (;;) {
            if (s->end - s->p < 3 || s->p - start > FAST_MAX_RUN)
                return FALSE;
            if (s->p[0] == '-' && s->p[1] == '-') {
                if (s->p[2] != '>')
                    return FALSE;       /* "--" inside a comment */
                s->p += 3;
                break;
            }
            /* comment text is the only free text: printable ASCII only */
            if (((guchar) *s->p < 0x20 || (guchar) *s->p > 0x7e) &&
                !fast_is_space(*s->p))
                return FALSE;
            s->p++;
        }
    }
}

/* Reads attributes up to "/>" (@self_closed TRUE) or ">". Each attribute
 * must be one of @names, at most once; values go to @vals/@lens. */
static gboolean
fast_attrs(Scan *s, const char *const *names, guint n_names,
           const char **vals, gsize *lens, gboolean *self_closed)
{
    guint next = 0;

    for (guint i = 0; i < n_names; i++)
        vals[i] = NULL;
    for (;;) {
        const char *name;
        gsize name_len;
        guint k;
        char quote;

        if (s->p >= s->end || !fast_is_space(*s->p)) {
            /* no whitespace: only the end of the tag may follow */
            if (fast_has(s, "/>", 2)) {
                s->p += 2;
                *self_closed = TRUE;
                return TRUE;
            }
            if (fast_has(s, ">", 1)) {
                s->p++;
                *self_closed = FALSE;
                return TRUE;
            }
            return FALSE;
        }
        if (!fast_skip_space(s))
            return FALSE;
        if (fast_has(s, "/>", 2) || fast_has(s, ">", 1))
            continue;
        name = s->p;
        while (s->p < s->end && fast_is_word(*s->p))
            s->p++;
        name_len = s->p - name;
        /* attributes usually come in the listed order: try the next first */
        if (next < n_names && fast_name_is(names[next], name, name_len)) {
            k = next;
        } else {
            for (k = 0; k < n_names; k++) {
                if (fast_name_is(names[k], name, name_len))
                    break;
            }
        }
        next = k + 1;
        if (k == n_names || vals[k])
            return FALSE;               /* unknown or repeated */
        if (!fast_skip_space(s))
            return FALSE;
        if (!fast_has(s, "=", 1))
            return FALSE;
        s->p++;
        if (!fast_skip_space(s))
            return FALSE;
        if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
            return FALSE;
        quote = *s->p++;
        vals[k] = s->p;
        while (s->p < s->end && fast_is_word(*s->p))
            s->p++;
        if (s->p >= s->end || *s->p != quote || s->p - vals[k] > FAST_MAX_RUN)
            return FALSE;
        lens[k] = s->p - vals[k];
        s->p++;
    }
}

/* Parses an attribute value as cs_xml_prop_uint() does; FALSE when the
 * libxml2 reader must report it. */
static gboolean
fast_uint(const char *val, gsize len, guint64 *out_value)
{
    char buf[48];

    /* the usual form, 0x and hex digits, inline */
    if (len > 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
        guint64 v = 0;

        for (gsize i = 2; i < len; i++) {
            char c = val[i];
            guint d;

            if (c >= '0' && c <= '9')
                d = c - '0';
            else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (c | 0x20) - 'a' + 10;
            else
                return FALSE;
            v = v * 16 + d;
            if (v > G_MAXUINT32)
                return FALSE;
        }
        *out_value = v;
        return TRUE;
    }

    if (len >= sizeof(buf))
        return FALSE;
    memcpy(buf, val, len);
    buf[len] = '\0';
    return cs_parse_uint(buf, G_MAXUINT32, out_value);
}

/* Returns: (transfer full) the data, or NULL when the input is not in the
 * plain form (the caller then uses libxml2). */
static CsCpuidData *
fast_parse(const char *xml, gsize len)
{
    static const char *const root_attrs[] = { "arch" };
    static const char *const cpuid_attrs[] = { "eax_in", "ecx_in", "eax", "ebx",
                                               "ecx", "edx" };
    static const char *const msr_attrs[] = { "index", "eax", "edx" };
    g_autoptr(CsCpuidData) data = NULL;
    Scan s = { xml, xml + len };
    const char *vals[FAST_MAX_ATTRS];
    gsize lens[FAST_MAX_ATTRS];
    gboolean self_closed = FALSE;
    guint n = 0;

    if (!fast_skip_misc(&s) || !fast_has(&s, "<cpudata", 8))
        return NULL;
    s.p += 8;
    if (!fast_attrs(&s, root_attrs, 1, vals, lens, &self_closed) || self_closed ||
        !vals[0])
        return NULL;
    if (!((lens[0] == 3 && memcmp(vals[0], "x86", 3) == 0) ||
          (lens[0] == 6 && memcmp(vals[0], "x86_64", 6) == 0) ||
          (lens[0] == 4 && memcmp(vals[0], "i686", 4) == 0)))
        return NULL;
    data = cs_cpuid_data_new();
    for (;;) {
        guint64 v[FAST_MAX_ATTRS] = { 0 };

        if (!fast_skip_misc(&s))
            return NULL;
        if (fast_has(&s, "</cpudata", 9)) {
            s.p += 9;
            if (!fast_skip_space(&s))
                return NULL;
            if (!fast_has(&s, ">", 1))
                return NULL;
            s.p++;
            break;
        }
        if (fast_has(&s, "<cpuid", 6)) {
            CsCpuidLeaf leaf;

            s.p += 6;
            if (!fast_attrs(&s, cpuid_attrs, 6, vals, lens, &self_closed) ||
                !self_closed || !vals[0])
                return NULL;
            for (guint i = 0; i < 6; i++) {
                if (vals[i] && !fast_uint(vals[i], lens[i], &v[i]))
                    return NULL;
            }
            leaf = (CsCpuidLeaf) { .eax_in = v[0], .ecx_in = v[1], .eax = v[2],
                                   .ebx = v[3], .ecx = v[4], .edx = v[5] };
            cs_cpuid_data_append_unsorted_leaf(data, &leaf);
        } else if (fast_has(&s, "<msr", 4)) {
            CsMsr msr;

            s.p += 4;
            if (!fast_attrs(&s, msr_attrs, 3, vals, lens, &self_closed) ||
                !self_closed)
                return NULL;
            for (guint i = 0; i < 3; i++) {
                if (!vals[i] || !fast_uint(vals[i], lens[i], &v[i]))
                    return NULL;
            }
            msr = (CsMsr) { .index = v[0], .eax = v[1], .edx = v[2] };
            cs_cpuid_data_append_unsorted_msr(data, &msr);
        } else {
            return NULL;
        }
        n++;
    }
    if (n == 0 || !fast_skip_misc(&s) || s.p != s.end)
        return NULL;
    cs_cpuid_data_sort_merge(data);
    return g_steal_pointer(&data);
}

/* Checks the root element: a <cpudata> of an x86 arch. */
static gboolean
check_root(const xmlNode *root, const char *source, GError **error)
{
    g_autofree char *arch = NULL;

    if (!cs_xml_is(root, "cpudata")) {
        g_autofree char *name = cs_shown((const char *) root->name);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: expected a <cpudata> document, found <%s>", source, name);
        return FALSE;
    }
    arch = cs_xml_prop(root, "arch");
    if (!arch) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: <cpudata> lacks attribute 'arch'", source, root->line);
        return FALSE;
    }
    if (strcmp(arch, "x86") != 0 && strcmp(arch, "x86_64") != 0 &&
        strcmp(arch, "i686") != 0) {
        g_autofree char *shown = cs_shown(arch);

        g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                    "%s:%d: raw CPU data of arch '%s' is not supported (only x86)",
                    source, root->line, shown);
        return FALSE;
    }
    return TRUE;
}

/* The general reader: libxml2's xmlTextReader, one element at a time, so
 * that memory stays in proportion to the data kept (no tree of the whole
 * document). The whole input is read before a problem with the data is
 * reported: a document that is not well-formed is reported as such. */
static CsCpuidData *
slow_parse(const char *xml, gsize len, const char *source, GError **error)
{
    CsXmlErrors errs = { 0 };
    g_autoptr(xmlTextReader) r = NULL;
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new();
    g_autoptr(GError) first = NULL;
    gboolean doctype = FALSE, root_seen = FALSE;
    int root_line = 0;
    guint n = 0;
    int ret = -1;

    cs_xml_errors_begin(&errs);
    if ((r = cs_xml_reader_new(xml, len, source, &errs))) {
        while ((ret = xmlTextReaderRead(r)) == 1) {
            int type = xmlTextReaderNodeType(r);
            xmlNode *node;

            if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
                doctype = TRUE;
                break;
            }
            if (type != XML_READER_TYPE_ELEMENT)
                continue;
            node = xmlTextReaderCurrentNode(r);
            if (xmlTextReaderDepth(r) == 0) {
                root_seen = TRUE;
                root_line = node->line;
                check_root(node, source, &first);
                continue;
            }
            /* the items: children of the root; anything below them is
             * not looked at, nor anything after the first problem */
            if (first || xmlTextReaderDepth(r) != 1)
                continue;
            if (cs_xml_is(node, "cpuid")) {
                if (parse_cpuid(node, data, source, &first))
                    n++;
            } else if (cs_xml_is(node, "msr")) {
                if (parse_msr(node, data, source, &first))
                    n++;
            } else if (!cs_xml_is(node, "alias")) {
                g_autofree char *name = cs_shown((const char *) node->name);

                g_set_error(&first, CS_ERROR, CS_ERROR_PARSE,
                            "%s:%d: unexpected element <%s> in <cpudata>", source,
                            node->line, name);
            }
        }
    }
    cs_xml_errors_end(&errs);
    if (doctype) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: DOCTYPE declarations are not allowed", source);
    } else if (ret != 0 || errs.message) {
        cs_xml_errors_set(&errs, source, r ? xmlTextReaderGetParserLineNumber(r) : 0,
                          error);
    } else if (!root_seen) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: no root element", source);
    } else if (first) {
        g_propagate_error(error, g_steal_pointer(&first));
    } else if (n == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: <cpudata> holds no <cpuid> or <msr> data", source, root_line);
    } else {
        cs_xml_errors_clear(&errs);
        cs_cpuid_data_sort_merge(data);
        return g_steal_pointer(&data);
    }
    cs_xml_errors_clear(&errs);
    return NULL;
}

CsCpuidData *
cs_cpuid_data_parse_xml(const char *xml, gsize len, const char *source,
                        GError **error)
{
    g_autofree char *owned_source = NULL;
    CsCpuidData *data = NULL;

    g_return_val_if_fail(xml != NULL || len == 0, NULL);
    if (!source)
        source = "<input>";
    if (len <= G_MAXINT && (data = fast_parse(xml, len)))
        return data;
    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large",
                    cs_source_name(source, &owned_source));
        return NULL;
    }
    return slow_parse(xml ? xml : "", len, cs_source_name(source, &owned_source), error);
}

static gboolean
looks_like_xml(const char *buf, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (g_ascii_isspace(buf[i]))
            continue;
        return buf[i] == '<';
    }
    return FALSE;
}

/* Whether the first line that says something (not blank, not a '#'
 * comment) is a "CPU[ N]:" header or a "0x... 0x..:" leaf line of
 * `cpuid -r`: text of another kind (/proc/cpuinfo, a QMP reply, ...) is
 * refused as a whole rather than at its first line. */
static gboolean
looks_like_cpuid_r(const char *buf, gsize len)
{
    const char *p = buf, *end = buf + len;

    while (p < end) {
        const char *eol = memchr(p, '\n', end - p);
        const char *q = p;

        if (!eol)
            eol = end;
        while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
            q++;
        if (q < eol && *q != '#')
            return (eol - q >= 3 && strncmp(q, "CPU", 3) == 0) ||
                   (eol - q >= 2 && strncmp(q, "0x", 2) == 0);
        p = eol + 1;
    }
    return TRUE;    /* empty: the parser says so */
}

CsCpuidData *
cs_cpuid_data_parse(const char *buf, gsize len, const char *source, GError **error)
{
    g_return_val_if_fail(buf != NULL || len == 0, NULL);
    if (!source)
        source = "(CPU data)";
    if (looks_like_xml(buf, len))
        return cs_cpuid_data_parse_xml(buf, len, source, error);
    if (!looks_like_cpuid_r(buf, len)) {
        g_autofree char *owned = NULL;
        const char *shown = cs_source_name(source, &owned);

        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: unrecognised input: cpusel reads raw CPU dumps (libvirt "
                    "<cpudata> XML, the output of 'cpuid -r') and CPU definitions "
                    "(<cpu>, capabilities and domain capabilities XML)", shown);
        return NULL;
    }
    return cs_cpuid_data_parse_cpuid_r(buf, len, source, error);
}

CsCpuidData *
cs_cpuid_data_load_file(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    g_return_val_if_fail(path != NULL, NULL);
    if (!(buf = cs_input_read_file(path, 0, CS_INPUT_DEFAULT, &len, error)))
        return NULL;
    return cs_cpuid_data_parse(buf, len, path, error);
}

char *
cs_cpuid_data_format_xml(const CsCpuidData *data)
{
    GString *s = g_string_new("<cpudata arch='x86'>\n");

    for (guint i = 0; i < data->leaves->len; i++) {
        const CsCpuidLeaf *l = &g_array_index(data->leaves, CsCpuidLeaf, i);

        g_string_append_printf(s,
            "  <cpuid eax_in='0x%08x' ecx_in='0x%08x' eax='0x%08x' ebx='0x%08x'"
            " ecx='0x%08x' edx='0x%08x'/>\n",
            l->eax_in, l->ecx_in, l->eax, l->ebx, l->ecx, l->edx);
    }
    for (guint i = 0; i < data->msrs->len; i++) {
        const CsMsr *m = &g_array_index(data->msrs, CsMsr, i);

        g_string_append_printf(s, "  <msr index='0x%x' eax='0x%08x' edx='0x%08x'/>\n",
                               m->index, m->eax, m->edx);
    }
    g_string_append(s, "</cpudata>\n");
    return g_string_free(s, FALSE);
}
