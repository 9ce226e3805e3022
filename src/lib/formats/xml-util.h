/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: safe XML reading shared by every XML parser (never installed) */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* Parses @len bytes with no network access, no DTD loading and no entity
 * expansion; a document with a DOCTYPE is refused. @source names the input.
 * Returns: (transfer full) the document, or NULL with @error set. */
xmlDoc *cs_xml_read(const char *buf, gsize len, const char *source, GError **error);

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
