/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: libvirt's <cpu> XML as other files of the library use it
 * (never installed) */
#pragma once

#include <libxml/tree.h>
#include "core/cpu-def-private.h"

/* Appends the children of @def's <cpu> element (model, vendor, features,
 * ...) to @s, each line indented by @indent spaces (libvirt's
 * virCPUDefFormatBuf, as domain capabilities print the host-model). */
void cs_cpu_def_format_children(GString *s, const CsCpuDef *def, guint indent);

/* Parses one <cpu> element (also used by the streaming multi-CPU reader). */
CsCpuDef *cs_cpu_def_parse_node(const xmlNode *node, const char *source,
                                CsParseType type, GError **error);
