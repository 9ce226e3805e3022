/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: libvirt's <cpu> XML, written (parsing lives in cpu-def-parse.c) */
#include <string.h>
#include "cpu-def-xml-private.h"

/* Appends without a library call when the string has room (formatting a
 * CPU is mostly short appends). */
static inline void
put(GString *s, const char *p, gsize n)
{
    if (s->len + n + 1 > s->allocated_len) {
        g_string_append_len(s, p, n);
        return;
    }
    memcpy(s->str + s->len, p, n);
    s->len += n;
    s->str[s->len] = '\0';
}

#define PUT_LIT(s, lit) put((s), "" lit, sizeof(lit) - 1)

static inline void
put_str(GString *s, const char *str)
{
    put(s, str, strlen(str));
}

void
cs_xml_append_escaped(GString *s, const char *text)
{
    const char *run = text;
    const char *p;

    /* plain runs go in one piece: most names need no escaping */
    for (p = text; *p; p++) {
        const char *entity;

        switch (*p) {
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '&': entity = "&amp;"; break;
        case '\'': entity = "&apos;"; break;
        case '"': entity = "&quot;"; break;
        default: continue;
        }
        put(s, run, p - run);
        put_str(s, entity);
        run = p + 1;
    }
    put(s, run, p - run);
}

/* Appends @v in decimal (no printf: this runs for every formatted CPU). */
static void
append_uint(GString *s, guint64 v)
{
    char buf[24];
    guint i = sizeof(buf);

    do {
        buf[--i] = '0' + v % 10;
        v /= 10;
    } while (v);
    put(s, buf + i, sizeof(buf) - i);
}

/* Appends " name='value'" with a value that needs no escaping. */
static void
append_attr(GString *s, const char *name, const char *value)
{
    g_string_append_c(s, ' ');
    put_str(s, name);
    PUT_LIT(s, "='");
    put_str(s, value);
    g_string_append_c(s, '\'');
}

static void
append_attr_uint(GString *s, const char *name, guint64 value)
{
    g_string_append_c(s, ' ');
    put_str(s, name);
    PUT_LIT(s, "='");
    append_uint(s, value);
    g_string_append_c(s, '\'');
}

static void
indent_to(GString *s, guint n)
{
    static const char spaces[] = "                                ";

    while (n > 0) {
        guint k = MIN(n, sizeof(spaces) - 1);

        put(s, spaces, k);
        n -= k;
    }
}

/* Lines of the kept extra children (counter, cache, maxphysaddr) whose
 * element name starts with @prefix (or, when @exclude, does not). */
static void
format_extra(GString *s, const CsCpuDef *def, guint ind, const char *prefix,
             gboolean exclude)
{
    g_auto(GStrv) lines = NULL;

    if (!def->extra_xml)
        return;
    lines = g_strsplit(def->extra_xml, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (!*lines[i] || g_str_has_prefix(lines[i], prefix) == exclude)
            continue;
        indent_to(s, ind);
        put_str(s, lines[i]);
        g_string_append_c(s, '\n');
    }
}

/* The children of <cpu>, each line indented by @ind, in libvirt 9.0's
 * virCPUDefFormatBuf order. A host CPU counts as mode custom (what libvirt
 * gives a CPU it decodes). */
static void
format_children(GString *s, const CsCpuDef *def, guint ind, CsFormatFlags flags)
{
    gboolean guest = def->type == CS_CPU_TYPE_GUEST;
    gboolean host = def->type == CS_CPU_TYPE_HOST;
    gboolean format_model = !guest || def->mode == CS_CPU_MODE_CUSTOM ||
                            def->mode == CS_CPU_MODE_HOST_MODEL;

    if (host && def->arch) {
        indent_to(s, ind);
        PUT_LIT(s, "<arch>");
        cs_xml_append_escaped(s, def->arch);
        PUT_LIT(s, "</arch>\n");
    }
    if (format_model && (def->model || (guest && def->vendor_id))) {
        indent_to(s, ind);
        PUT_LIT(s, "<model");
        if (guest && def->model)
            append_attr(s, "fallback", cs_cpu_fallback_to_string(def->fallback));
        if (guest && def->vendor_id) {
            PUT_LIT(s, " vendor_id='");
            cs_xml_append_escaped(s, def->vendor_id);
            g_string_append_c(s, '\'');
        }
        if (def->model) {
            g_string_append_c(s, '>');
            cs_xml_append_escaped(s, def->model);
            PUT_LIT(s, "</model>\n");
        } else {
            PUT_LIT(s, "/>\n");
        }
    }
    if (format_model && def->vendor) {
        indent_to(s, ind);
        PUT_LIT(s, "<vendor>");
        cs_xml_append_escaped(s, def->vendor);
        PUT_LIT(s, "</vendor>\n");
    }
    if (host && def->has_microcode && def->microcode) {
        indent_to(s, ind);
        PUT_LIT(s, "<microcode");
        append_attr_uint(s, "version", def->microcode);
        PUT_LIT(s, "/>\n");
    }
    if (host && def->sig_family) {
        indent_to(s, ind);
        PUT_LIT(s, "<signature");
        append_attr_uint(s, "family", def->sig_family);
        append_attr_uint(s, "model", def->sig_model);
        append_attr_uint(s, "stepping", def->sig_stepping);
        PUT_LIT(s, "/>\n");
    }
    if (host)
        format_extra(s, def, ind, "<counter", FALSE);
    if (def->sockets && def->dies && def->cores && def->threads) {
        indent_to(s, ind);
        PUT_LIT(s, "<topology");
        append_attr_uint(s, "sockets", def->sockets);
        append_attr_uint(s, "dies", def->dies);
        if (flags & CS_FORMAT_TOPOLOGY_CLUSTERS)
            append_attr_uint(s, "clusters", def->clusters ? def->clusters : 1);
        append_attr_uint(s, "cores", def->cores);
        append_attr_uint(s, "threads", def->threads);
        PUT_LIT(s, "/>\n");
    }
    format_extra(s, def, ind, "<counter", TRUE);
    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);

        indent_to(s, ind);
        if (guest && f->policy != CS_FEATURE_POLICY_NONE)
        {
            PUT_LIT(s, "<feature");
            append_attr(s, "policy", cs_feature_policy_to_string(f->policy));
            PUT_LIT(s, " name='");
        }
        else
            PUT_LIT(s, "<feature name='");
        cs_xml_append_escaped(s, f->name);
        PUT_LIT(s, "'/>\n");
    }
}

void
cs_cpu_def_format_children(GString *s, const CsCpuDef *def, guint indent)
{
    format_children(s, def, indent, CS_FORMAT_DEFAULT);
}

char *
cs_cpu_def_format_xml(const CsCpuDef *def, guint indent)
{
    return cs_cpu_def_format_xml_full(def, indent, CS_FORMAT_DEFAULT);
}

char *
cs_cpu_def_format_xml_full(const CsCpuDef *def, guint indent, CsFormatFlags flags)
{
    g_autoptr(GString) s = g_string_sized_new(1024);
    g_autoptr(GString) children = g_string_sized_new(1024);

    indent_to(s, indent);
    PUT_LIT(s, "<cpu");
    /* libvirt writes no attributes for a guest CPU that only holds
     * topology or cache */
    if (def->type == CS_CPU_TYPE_GUEST &&
        (def->mode != CS_CPU_MODE_CUSTOM || def->model)) {
        append_attr(s, "mode", cs_cpu_mode_to_string(def->mode));
        if (def->mode == CS_CPU_MODE_CUSTOM)
            append_attr(s, "match", cs_cpu_match_to_string(def->match));
        if (def->check != CS_CPU_CHECK_DEFAULT)
            g_string_append_printf(s, " check='%s'", cs_cpu_check_to_string(def->check));
        if ((def->mode == CS_CPU_MODE_HOST_PASSTHROUGH ||
             def->mode == CS_CPU_MODE_MAXIMUM) && def->migratable >= 0)
            g_string_append_printf(s, " migratable='%s'", def->migratable ? "on" : "off");
    }
    format_children(children, def, indent + 2, flags);
    if (children->len) {
        PUT_LIT(s, ">\n");
        put(s, children->str, children->len);
        indent_to(s, indent);
        PUT_LIT(s, "</cpu>\n");
    } else {
        PUT_LIT(s, "/>\n");
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}
