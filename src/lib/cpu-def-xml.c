/* libcpusel: libvirt's <cpu> XML, written (parsing lives in cpu-def-parse.c) */
#include <string.h>
#include "cpu-def-private.h"

static void
append_escaped(GString *s, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '<': g_string_append(s, "&lt;"); break;
        case '>': g_string_append(s, "&gt;"); break;
        case '&': g_string_append(s, "&amp;"); break;
        case '\'': g_string_append(s, "&apos;"); break;
        case '"': g_string_append(s, "&quot;"); break;
        default: g_string_append_c(s, *p); break;
        }
    }
}

static void
indent_to(GString *s, guint n)
{
    for (guint i = 0; i < n; i++)
        g_string_append_c(s, ' ');
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
        g_string_append(s, lines[i]);
        g_string_append_c(s, '\n');
    }
}

/* The children of <cpu>, each line indented by @ind, in libvirt 9.0's
 * virCPUDefFormatBuf order. A host CPU counts as mode custom (what libvirt
 * gives a CPU it decodes). */
static void
format_children(GString *s, const CsCpuDef *def, guint ind)
{
    gboolean guest = def->type == CS_CPU_TYPE_GUEST;
    gboolean host = def->type == CS_CPU_TYPE_HOST;
    gboolean format_model = !guest || def->mode == CS_CPU_MODE_CUSTOM ||
                            def->mode == CS_CPU_MODE_HOST_MODEL;

    if (host && def->arch) {
        indent_to(s, ind);
        g_string_append(s, "<arch>");
        append_escaped(s, def->arch);
        g_string_append(s, "</arch>\n");
    }
    if (format_model && (def->model || (guest && def->vendor_id))) {
        indent_to(s, ind);
        g_string_append(s, "<model");
        if (guest && def->model)
            g_string_append_printf(s, " fallback='%s'",
                                   cs_cpu_fallback_to_string(def->fallback));
        if (guest && def->vendor_id) {
            g_string_append(s, " vendor_id='");
            append_escaped(s, def->vendor_id);
            g_string_append_c(s, '\'');
        }
        if (def->model) {
            g_string_append_c(s, '>');
            append_escaped(s, def->model);
            g_string_append(s, "</model>\n");
        } else {
            g_string_append(s, "/>\n");
        }
    }
    if (format_model && def->vendor) {
        indent_to(s, ind);
        g_string_append(s, "<vendor>");
        append_escaped(s, def->vendor);
        g_string_append(s, "</vendor>\n");
    }
    if (host && def->has_microcode && def->microcode) {
        indent_to(s, ind);
        g_string_append_printf(s, "<microcode version='%" G_GUINT64_FORMAT "'/>\n",
                               def->microcode);
    }
    if (host && def->sig_family) {
        indent_to(s, ind);
        g_string_append_printf(s, "<signature family='%u' model='%u' stepping='%u'/>\n",
                               def->sig_family, def->sig_model, def->sig_stepping);
    }
    if (host)
        format_extra(s, def, ind, "<counter", FALSE);
    if (def->sockets && def->dies && def->cores && def->threads) {
        indent_to(s, ind);
        g_string_append_printf(s, "<topology sockets='%u' dies='%u'", def->sockets,
                               def->dies);
        if (def->clusters)
            g_string_append_printf(s, " clusters='%u'", def->clusters);
        g_string_append_printf(s, " cores='%u' threads='%u'/>\n", def->cores,
                               def->threads);
    }
    format_extra(s, def, ind, "<counter", TRUE);
    for (guint i = 0; i < def->features->len; i++) {
        const CsCpuFeature *f = &g_array_index(def->features, CsCpuFeature, i);

        indent_to(s, ind);
        if (guest && f->policy != CS_FEATURE_POLICY_NONE)
            g_string_append_printf(s, "<feature policy='%s' name='",
                                   cs_feature_policy_to_string(f->policy));
        else
            g_string_append(s, "<feature name='");
        append_escaped(s, f->name);
        g_string_append(s, "'/>\n");
    }
}

char *
cs_cpu_def_format_xml(const CsCpuDef *def, guint indent)
{
    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(GString) children = g_string_new(NULL);

    indent_to(s, indent);
    g_string_append(s, "<cpu");
    /* libvirt writes no attributes for a guest CPU that only holds
     * topology or cache */
    if (def->type == CS_CPU_TYPE_GUEST &&
        (def->mode != CS_CPU_MODE_CUSTOM || def->model)) {
        g_string_append_printf(s, " mode='%s'", cs_cpu_mode_to_string(def->mode));
        if (def->mode == CS_CPU_MODE_CUSTOM)
            g_string_append_printf(s, " match='%s'", cs_cpu_match_to_string(def->match));
        if (def->check != CS_CPU_CHECK_DEFAULT)
            g_string_append_printf(s, " check='%s'", cs_cpu_check_to_string(def->check));
        if ((def->mode == CS_CPU_MODE_HOST_PASSTHROUGH ||
             def->mode == CS_CPU_MODE_MAXIMUM) && def->migratable >= 0)
            g_string_append_printf(s, " migratable='%s'", def->migratable ? "on" : "off");
    }
    format_children(children, def, indent + 2);
    if (children->len) {
        g_string_append(s, ">\n");
        g_string_append_len(s, children->str, children->len);
        indent_to(s, indent);
        g_string_append(s, "</cpu>\n");
    } else {
        g_string_append(s, "/>\n");
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}
