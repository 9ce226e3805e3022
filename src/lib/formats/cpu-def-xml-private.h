/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: libvirt's <cpu> XML as other files of the library use it
 * (never installed) */
#pragma once

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include "core/cpu-def-private.h"

/* Appends @text with XML's five special characters as entities (attribute
 * values and text alike). */
void cs_xml_append_escaped(GString *s, const char *text);

/* Appends the children of @def's <cpu> element (model, vendor, features,
 * ...) to @s, each line indented by @indent spaces (libvirt's
 * virCPUDefFormatBuf, as domain capabilities print the host-model). */
void cs_cpu_def_format_children(GString *s, const CsCpuDef *def, guint indent);

/* Parses one <cpu> element of a tree. */
CsCpuDef *cs_cpu_def_parse_node(const xmlNode *node, const char *source,
                                CsParseType type, GError **error);
/* Parses the <cpu> element at @reader's position, leaving the reader on its
 * last node (the streaming multi-CPU reader). When the XML is not
 * well-formed, returns NULL with *@out_xml_failed TRUE and @error unset:
 * the reader's error handler has the message. */
CsCpuDef *cs_cpu_def_parse_reader(xmlTextReaderPtr reader, const char *source,
                                  CsParseType type, gboolean *out_xml_failed,
                                  GError **error);
/* As cs_cpu_def_parse_xml() on a part of a document that starts after
 * @line_offset lines: messages give lines of the whole document. */
CsCpuDef *cs_cpu_def_parse_xml_at(const char *xml, gsize len, const char *source,
                                  CsParseType type, int line_offset, GError **error);
