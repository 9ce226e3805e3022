/* libcpusel: libvirt's <cpudata arch='x86'> format, read and written */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "cpuid-data-private.h"
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
    cs_cpuid_data_add_leaf(data, &leaf);
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
    cs_cpuid_data_add_msr(data, &msr);
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
            g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                        "%s:%d: unexpected element <%s> in <%s>", source, c->line,
                        (const char *) c->name, (const char *) node->name);
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
    return TRUE;
}

CsCpuidData *
cs_cpuid_data_parse_xml(const char *xml, gsize len, const char *source,
                        GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autofree char *arch = NULL;
    xmlNode *root;

    if (!source)
        source = "<input>";
    if (!(doc = cs_xml_read(xml, len, source, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!cs_xml_is(root, "cpudata")) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s: expected a <cpudata> document, found <%s>", source,
                    (const char *) root->name);
        return NULL;
    }
    arch = cs_xml_prop(root, "arch");
    if (!arch) {
        g_set_error(error, CS_ERROR, CS_ERROR_PARSE,
                    "%s:%d: <cpudata> lacks attribute 'arch'", source, root->line);
        return NULL;
    }
    if (strcmp(arch, "x86") != 0 && strcmp(arch, "x86_64") != 0 &&
        strcmp(arch, "i686") != 0) {
        g_autofree char *shown = g_strescape(arch, NULL);

        g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                    "%s:%d: raw CPU data of arch '%.40s' is not supported (only x86)",
                    source, root->line, shown);
        return NULL;
    }
    data = cs_cpuid_data_new();
    if (!cs_cpuid_data_parse_items(root, data, source, error))
        return NULL;
    return g_steal_pointer(&data);
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

CsCpuidData *
cs_cpuid_data_load_file(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) local = NULL;

    if (!g_file_get_contents(path, &buf, &len, &local)) {
        g_set_error(error, CS_ERROR, CS_ERROR_IO, "%s", local->message);
        return NULL;
    }
    if (looks_like_xml(buf, len))
        return cs_cpuid_data_parse_xml(buf, len, path, error);
    return cs_cpuid_data_parse_cpuid_r(buf, len, path, error);
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
