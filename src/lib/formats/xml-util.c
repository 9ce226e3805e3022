/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: safe XML reading shared by every XML parser */
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <libcpusel/cs-error.h>
#include "core/error-private.h"
#include "xml-util.h"

/* Parser options of every document: no network, no errors or warnings
 * printed by libxml2, CDATA as text. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
                     XML_PARSE_NOCDATA)
/* The longest libxml2 message shown, in characters. */
#define XML_MESSAGE_MAX 200

static gpointer
init_once(gpointer unused)
{
    xmlInitParser();
    return NULL;
}

void
cs_xml_init(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, init_once, NULL);
}

void
cs_xml_errors_handler(void *data, xmlErrorPtr e)
{
    CsXmlErrors *errs = data;
    g_autofree char *msg = NULL;
    char **slot;

    if (!errs || !e || e->level < XML_ERR_ERROR)
        return;
    slot = e->level == XML_ERR_FATAL ? &errs->message : &errs->other;
    if (*slot)
        return;
    msg = g_strdup(e->message ? e->message : "not well-formed");
    *slot = cs_shown_n(cs_one_line(msg), -1, XML_MESSAGE_MAX);
    if (e->level == XML_ERR_FATAL)
        errs->line = e->line;
    else
        errs->other_line = e->line;
}

/* libxml2's generic error function: a printf-like message, possibly in
 * pieces; the first one is kept as an error without a level. */
static void
generic_handler(void *data, const char *fmt, ...)
{
    CsXmlErrors *errs = data;
    g_autofree char *msg = NULL;
    va_list ap;

    if (!errs || errs->other)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    errs->other = cs_shown_n(cs_one_line(msg), -1, XML_MESSAGE_MAX);
}

void
cs_xml_errors_begin(CsXmlErrors *errs)
{
    cs_xml_init();
    errs->saved = xmlStructuredError;
    errs->saved_data = xmlStructuredErrorContext;
    errs->saved_generic = xmlGenericError;
    errs->saved_generic_data = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(errs, cs_xml_errors_handler);
    xmlSetGenericErrorFunc(errs, generic_handler);
}

void
cs_xml_errors_end(CsXmlErrors *errs)
{
    xmlSetStructuredErrorFunc(errs->saved_data, errs->saved);
    xmlSetGenericErrorFunc(errs->saved_generic_data, errs->saved_generic);
}

void
cs_xml_errors_clear(CsXmlErrors *errs)
{
    g_clear_pointer(&errs->message, g_free);
    g_clear_pointer(&errs->other, g_free);
    errs->line = 0;
    errs->other_line = 0;
}

void
cs_xml_errors_set(const CsXmlErrors *errs, const char *source, int line,
                  GError **error)
{
    const char *msg = errs->message ? errs->message : errs->other;

    if (errs->message && errs->line > 0)
        line = errs->line;
    else if (!errs->message && errs->other && errs->other_line > 0)
        line = errs->other_line;
    if (!msg)
        msg = "not well-formed";
    if (line > 0)
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s:%d: malformed XML: %s", source,
                    line, msg);
    else
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: malformed XML: %s", source, msg);
}

/* ---- Trees with a memory budget -------------------------------------------
 * libxml2's tree takes 20 to 50 times the size of a document made of tiny
 * elements. The SAX callbacks that build it are wrapped to estimate what
 * each node costs (on the high side) and to stop the parser past a budget
 * of ten times the input plus a fixed allowance. */
#define BUDGET_FIXED (16u << 20)
#define COST_ELEMENT 160
#define COST_ATTRIBUTE 256
#define COST_TEXT 160

typedef struct {
    CsXmlErrors errs;
    guint64 budget;
    gboolean over_budget;
    gboolean doctype;
    startElementNsSAX2Func start_element;
    charactersSAXFunc characters;
    charactersSAXFunc whitespace;
    commentSAXFunc comment;
    processingInstructionSAXFunc pi;
    internalSubsetSAXFunc internal_subset;
} TreeParse;

/* Charges @cost to the budget; FALSE (parser stopped) when it is spent. */
static gboolean
charge(xmlParserCtxtPtr ctxt, guint64 cost)
{
    TreeParse *tp = ctxt->_private;

    if (tp->over_budget)
        return FALSE;
    if (cost <= tp->budget) {
        tp->budget -= cost;
        return TRUE;
    }
    tp->over_budget = TRUE;
    xmlStopParser(ctxt);
    return FALSE;
}

static void
tree_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                   int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;
    guint64 cost = COST_ELEMENT + (guint64) nb_namespaces * COST_ATTRIBUTE;

    /* attributes come as (localname, prefix, URI, value, end) */
    for (int i = 0; i < nb_attributes; i++)
        cost += COST_ATTRIBUTE + (guint64) (attributes[i * 5 + 4] - attributes[i * 5 + 3]);
    if (charge(ctxt, cost))
        tp->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                          nb_attributes, nb_defaulted, attributes);
}

static void
tree_characters(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;

    if (charge(ctxt, COST_TEXT + (guint64) len))
        tp->characters(ctx, ch, len);
}

static void
tree_whitespace(void *ctx, const xmlChar *ch, int len)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;

    if (charge(ctxt, COST_TEXT + (guint64) len))
        tp->whitespace(ctx, ch, len);
}

static void
tree_comment(void *ctx, const xmlChar *value)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;

    if (charge(ctxt, COST_TEXT + strlen((const char *) value)))
        tp->comment(ctx, value);
}

static void
tree_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;

    if (charge(ctxt, COST_TEXT + strlen((const char *) target) +
                     (data ? strlen((const char *) data) : 0)))
        tp->pi(ctx, target, data);
}

/* A DOCTYPE is refused: stop before its declarations are read. */
static void
tree_internal_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
                     const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = ctx;
    TreeParse *tp = ctxt->_private;

    tp->doctype = TRUE;
    xmlStopParser(ctxt);
}

static void
tree_errors_handler(void *data, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = data;

    cs_xml_errors_handler(&((TreeParse *) ctxt->_private)->errs, e);
}

xmlDoc *
cs_xml_read(const char *buf, gsize len, const char *source, GError **error)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDoc *doc = NULL;
    TreeParse tp = { .budget = BUDGET_FIXED + (guint64) len * 10 };
    gboolean well_formed;

    cs_xml_init();
    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large", source);
        return NULL;
    }
    if (!(ctxt = xmlNewParserCtxt())) {
        g_set_error(error, CS_ERROR, CS_ERROR_FAILED, "%s: out of memory", source);
        return NULL;
    }
    ctxt->_private = &tp;
    tp.start_element = ctxt->sax->startElementNs;
    tp.characters = ctxt->sax->characters;
    tp.whitespace = ctxt->sax->ignorableWhitespace;
    tp.comment = ctxt->sax->comment;
    tp.pi = ctxt->sax->processingInstruction;
    ctxt->sax->startElementNs = tree_start_element;
    ctxt->sax->characters = tree_characters;
    ctxt->sax->ignorableWhitespace = tree_whitespace;
    ctxt->sax->comment = tree_comment;
    ctxt->sax->processingInstruction = tree_pi;
    ctxt->sax->internalSubset = tree_internal_subset;
    /* the context's own structured handler; the thread's catches what
     * libxml2 raises without a context (encoding errors) */
    ctxt->sax->serror = tree_errors_handler;
    cs_xml_errors_begin(&tp.errs);
    doc = xmlCtxtReadMemory(ctxt, buf, (int) len, NULL, NULL, XML_OPTIONS);
    cs_xml_errors_end(&tp.errs);
    well_formed = doc && ctxt->wellFormed && !tp.errs.message;
    if (tp.doctype) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: DOCTYPE declarations are not allowed", source);
    } else if (tp.over_budget) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: too many XML nodes for a document of this size", source,
                    ctxt->input ? ctxt->input->line : 0);
    } else if (!well_formed) {
        cs_xml_errors_set(&tp.errs, source, 0, error);
    } else if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: no root element", source);
    } else {
        cs_xml_errors_clear(&tp.errs);
        xmlFreeParserCtxt(ctxt);
        return doc;
    }
    cs_xml_errors_clear(&tp.errs);
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
}

xmlTextReaderPtr
cs_xml_reader_new(const char *buf, gsize len, const char *source, CsXmlErrors *errs)
{
    xmlTextReaderPtr r;

    cs_xml_init();
    if (len > G_MAXINT)
        return NULL;
    if (!(r = xmlReaderForMemory(buf ? buf : "", (int) len, NULL, NULL, XML_OPTIONS)))
        return NULL;
    xmlTextReaderSetStructuredErrorHandler(r, cs_xml_errors_handler, errs);
    return r;
}

char *
cs_xml_prop(const xmlNode *node, const char *name)
{
    /* Attribute values are plain text here: a DOCTYPE (and thus any entity
     * declaration) is refused by cs_xml_read(). */
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *) name);
    char *ret;

    if (!v)
        return NULL;
    ret = g_strdup((const char *) v);
    xmlFree(v);
    return ret;
}

gboolean
cs_parse_uint(const char *s, guint64 max, guint64 *out_value)
{
    guint64 v = 0;
    guint base = 10;
    const char *p = s;

    if (!s || !*s)
        return FALSE;
    while (g_ascii_isspace(*p))
        p++;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        if (!g_ascii_isxdigit(*p))
            return FALSE;
    } else if (p[0] == '0' && p[1]) {
        base = 8;
        p++;
    }
    if (!*p)
        return FALSE;
    for (; *p && !g_ascii_isspace(*p); p++) {
        guint d;

        if (base == 16 && g_ascii_isxdigit(*p))
            d = g_ascii_xdigit_value(*p);
        else if (g_ascii_isdigit(*p))
            d = *p - '0';
        else
            return FALSE;
        if (d >= base)
            return FALSE;
        if (v > (G_MAXUINT64 - d) / base)
            return FALSE;
        v = v * base + d;
    }
    while (g_ascii_isspace(*p))
        p++;
    if (*p || v > max)
        return FALSE;
    *out_value = v;
    return TRUE;
}

gboolean
cs_xml_prop_uint(const xmlNode *node, const char *name, gboolean required,
                 guint64 max, guint64 *out_value, gboolean *out_present,
                 const char *source, GError **error)
{
    g_autofree char *v = cs_xml_prop(node, name);

    if (out_present)
        *out_present = v != NULL;
    if (!v) {
        if (!required)
            return TRUE;
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: element <%s> lacks attribute '%s'",
                    source, node->line, (const char *) node->name, name);
        return FALSE;
    }
    if (!cs_parse_uint(v, max, out_value)) {
        g_autofree char *shown = cs_shown(v);

        g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                    "%s:%d: invalid value '%s' for attribute '%s' of <%s>",
                    source, node->line, shown, name, (const char *) node->name);
        return FALSE;
    }
    return TRUE;
}

char *
cs_xml_text(const xmlNode *node)
{
    GString *s = g_string_new(NULL);

    for (const xmlNode *c = node->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
            c->content)
            g_string_append(s, (const char *) c->content);
    }
    return g_strstrip(g_string_free(s, FALSE));
}

gboolean
cs_xml_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE &&
           strcmp((const char *) node->name, name) == 0;
}

xmlNode *
cs_xml_child(const xmlNode *node, const char *name)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (cs_xml_is(c, name))
            return c;
    }
    return NULL;
}

xmlNode *
cs_xml_find(xmlNode *node, const char *name)
{
    if (cs_xml_is(node, name))
        return node;
    for (xmlNode *c = node->children; c; c = c->next) {
        xmlNode *f;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if ((f = cs_xml_find(c, name)))
            return f;
    }
    return NULL;
}
