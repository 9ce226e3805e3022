/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: safe XML reading shared by every XML parser */
#include <string.h>
#include <errno.h>
#include <libcpusel/cs-error.h>
#include "xml-util.h"

xmlDoc *
cs_xml_read(const char *buf, gsize len, const char *source, GError **error)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDoc *doc = NULL;
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                  XML_PARSE_NOCDATA;

    if (len > G_MAXINT) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: input too large", source);
        return NULL;
    }
    if (!(ctxt = xmlNewParserCtxt())) {
        g_set_error(error, CS_ERROR, CS_ERROR_FAILED, "%s: out of memory", source);
        return NULL;
    }
    doc = xmlCtxtReadMemory(ctxt, buf, (int) len, NULL, NULL, options);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(e && e->message ? e->message : "not well-formed");

        g_strstrip(msg);
        if (e && e->line > 0)
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: malformed XML: %s", source, e->line, msg);
        else
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s: malformed XML: %s", source, msg);
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset || doc->extSubset) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: DOCTYPE declarations are not allowed", source);
        xmlFreeDoc(doc);
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE, "%s: no root element", source);
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
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
        g_autofree char *shown = g_strescape(v, NULL);

        if (strlen(shown) > 60)
            strcpy(shown + 57, "...");
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
