/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: domain capabilities as libvirt's XML (formatting only; element
 * and attribute order of libvirt's virDomainCapsCPUFormat) */
#include <string.h>
#include "cpu-def-xml-private.h"
#include <libcpusel/cs-hypervisor.h>

/* A mode with its migratable enum (host-passthrough, maximum). */
static void
append_migratable_mode(GString *s, const char *mode, const char *enum_name)
{
    g_string_append_printf(s, "    <mode name='%s' supported='yes'>\n"
                              "      <enum name='%s'>\n"
                              "        <value>on</value>\n"
                              "        <value>off</value>\n"
                              "      </enum>\n"
                              "    </mode>\n", mode, enum_name);
}

static void
append_custom(GString *s, const CsDomainCaps *caps)
{
    guint n = cs_domain_caps_get_n_models(caps);

    if (n == 0) {
        g_string_append(s, "    <mode name='custom' supported='no'/>\n");
        return;
    }
    g_string_append(s, "    <mode name='custom' supported='yes'>\n");
    for (guint i = 0; i < n; i++) {
        const char *vendor = cs_domain_caps_model_vendor(caps, i);
        const char *canonical = cs_domain_caps_model_canonical(caps, i);
        const char *const *blockers = cs_domain_caps_model_blockers(caps, i);
        gboolean usable = cs_domain_caps_model_usable(caps, i);

        g_string_append_printf(s, "      <model usable='%s'", usable ? "yes" : "no");
        if (cs_domain_caps_model_deprecated(caps, i))
            g_string_append(s, " deprecated='yes'");
        g_string_append(s, " vendor='");
        cs_xml_append_escaped(s, vendor ? vendor : "unknown");
        g_string_append_c(s, '\'');
        if (canonical) {
            g_string_append(s, " canonical='");
            cs_xml_append_escaped(s, canonical);
            g_string_append_c(s, '\'');
        }
        g_string_append_c(s, '>');
        cs_xml_append_escaped(s, cs_domain_caps_model_name(caps, i));
        g_string_append(s, "</model>\n");
        if (usable || !blockers[0])
            continue;
        g_string_append(s, "      <blockers model='");
        cs_xml_append_escaped(s, cs_domain_caps_model_name(caps, i));
        g_string_append(s, "'>\n");
        for (guint b = 0; blockers[b]; b++) {
            g_string_append(s, "        <feature name='");
            cs_xml_append_escaped(s, blockers[b]);
            g_string_append(s, "'/>\n");
        }
        g_string_append(s, "      </blockers>\n");
    }
    g_string_append(s, "    </mode>\n");
}

char *
cs_domain_caps_format_xml(const CsDomainCaps *caps)
{
    g_autoptr(GString) s = g_string_sized_new(16384);
    const CsCpuDef *host_model;

    g_return_val_if_fail(caps != NULL, NULL);
    host_model = cs_domain_caps_get_host_model(caps);
    g_string_append(s, "<domainCapabilities>\n"
                       "  <domain>kvm</domain>\n"
                       "  <arch>x86_64</arch>\n"
                       "  <cpu>\n");
    append_migratable_mode(s, "host-passthrough", "hostPassthroughMigratable");
    append_migratable_mode(s, "maximum", "maximumMigratable");
    if (host_model) {
        g_string_append(s, "    <mode name='host-model' supported='yes'>\n");
        cs_cpu_def_format_children(s, host_model, 6);
        g_string_append(s, "    </mode>\n");
    } else {
        g_string_append(s, "    <mode name='host-model' supported='no'/>\n");
    }
    append_custom(s, caps);
    g_string_append(s, "  </cpu>\n"
                       "</domainCapabilities>\n");
    return g_string_free(g_steal_pointer(&s), FALSE);
}
