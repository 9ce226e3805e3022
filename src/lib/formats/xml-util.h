/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: safe XML reading shared by every XML parser (never installed) */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

#include <libxml/xmlreader.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlTextReader, xmlFreeTextReader)

/* Initialises libxml2 once per process (thread-safe); every parser calls
 * it before its first use of libxml2. */
void cs_xml_init(void);

/* What libxml2 reports during one parse. libxml2 raises some errors (input
 * encoding, I/O) without a parser context, and prints a few straight
 * through its generic error function: between _begin() and _end() the
 * calling thread's structured and generic handlers (thread-local in
 * libxml2) collect them too, so that nothing reaches libxml2's default
 * handler, which prints to stderr; _end() puts back what was there. The
 * parser context's own handler is cs_xml_errors_handler() with the
 * CsXmlErrors as its data. */
typedef struct {
    char *message;      /* the first fatal error, on one line; NULL if none */
    int line;           /* its line, 0 when unknown */
    char *other;        /* the first other error (namespaces, I/O), if any */
    int other_line;
    xmlStructuredErrorFunc saved;
    void *saved_data;
    xmlGenericErrorFunc saved_generic;
    void *saved_generic_data;
} CsXmlErrors;

void cs_xml_errors_begin(CsXmlErrors *errs);
void cs_xml_errors_end(CsXmlErrors *errs);
void cs_xml_errors_clear(CsXmlErrors *errs);
/* A structured error handler; @data is the CsXmlErrors. */
void cs_xml_errors_handler(void *data, xmlErrorPtr e);
/* Sets @error to "SOURCE:LINE: malformed XML: MESSAGE" from the first fatal
 * error, else the first other one (@line when it has none; "not
 * well-formed" when there was none). */
void cs_xml_errors_set(const CsXmlErrors *errs, const char *source, int line,
                       GError **error);

/* Parses @len bytes into a tree with no network access, no DTD loading and
 * no entity expansion; a document with a DOCTYPE is refused, and so is one
 * whose tree would take more than about ten times its size in memory (many
 * tiny elements). For small documents only (the CPU map's files): large
 * inputs are read with cs_xml_reader_new(). @source names the input.
 * Returns: (transfer full) the document, or NULL with @error set. */
xmlDoc *cs_xml_read(const char *buf, gsize len, const char *source, GError **error);

/* Returns: (transfer full) a streaming reader of @len bytes with the same
 * options as cs_xml_read() (a DOCTYPE shows up as a node the caller must
 * refuse), reporting to @errs, or NULL when libxml2 cannot make one. */
xmlTextReaderPtr cs_xml_reader_new(const char *buf, gsize len, const char *source,
                                   CsXmlErrors *errs);

/* Returns: (transfer full) attribute @name of @node, or NULL when absent. */
char *cs_xml_prop(const xmlNode *node, const char *name);

/* Parses attribute @name as an unsigned integer (decimal, 0x hex or 0 octal)
 * no larger than @max. Absent: FALSE without error when !@required (value
 * untouched, *out_present FALSE), an error otherwise. */
gboolean cs_xml_prop_uint(const xmlNode *node, const char *name, gboolean required,
                          guint64 max, guint64 *out_value, gboolean *out_present,
                          const char *source, GError **error);

/* Strict unsigned number parsing, as above, of a whole string. */
gboolean cs_parse_uint(const char *s, guint64 max, guint64 *out_value);

/* Text content of @node (no entity expansion), stripped. Returns: (transfer full). */
char *cs_xml_text(const xmlNode *node);

/* First element child of @node named @name, or NULL. */
xmlNode *cs_xml_child(const xmlNode *node, const char *name);
/* First element in document order named @name (depth-first), or NULL. */
xmlNode *cs_xml_find(xmlNode *node, const char *name);
gboolean cs_xml_is(const xmlNode *node, const char *name);
