/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel host: this machine's CPU as capabilities' <host><cpu> */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int cli_print_decoded(const CsCpuMap *map, const CsCpuDef *def,
                      const CsDecodeReport *report, gboolean json, const char *command,
                      gboolean level_note);
char *cli_decoded_note(const CsCpuMap *map, const CsCpuDef *def,
                       const CsDecodeReport *report, gboolean level_note);

/* A capabilities document: <host> holds the CPU, each x86 <guest> advertises
 * CPU selection (libvirt's <cpuselection/>). */
static int
print_capabilities(const CsCpuMap *map, const CsCpuDef *def, const CsDecodeReport *report)
{
    g_autofree char *cpu = cs_cpu_def_format_xml_full(def, 4, cs_cpu_map_get_format_flags(map));
    g_autoptr(GString) s = g_string_new("<capabilities>\n\n  <host>\n");
    const char *arch = cs_cpu_def_get_arch(def);

    g_string_append(s, cpu);
    g_string_append(s, "  </host>\n");
    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0) {
        static const struct { const char *arch; guint wordsize; } guests[] = {
            { "i686", 32 }, { "x86_64", 64 },
        };

        for (guint i = 0; i < G_N_ELEMENTS(guests); i++) {
            if (guests[i].wordsize == 64 && arch && strcmp(arch, "i686") == 0)
                continue;
            g_string_append_printf(s,
                "\n  <guest>\n    <os_type>hvm</os_type>\n"
                "    <arch name='%s'>\n      <wordsize>%u</wordsize>\n    </arch>\n"
                "    <features>\n      <cpuselection/>\n    </features>\n  </guest>\n",
                guests[i].arch, guests[i].wordsize);
        }
    }
    g_string_append(s, "\n</capabilities>\n");
    {
        g_autofree char *note = cli_decoded_note(map, def, report, TRUE);

        cli_append_comment(s, note);
    }
    return cli_print(s->str);
}

static gboolean
is_x86(const char *arch)
{
    return strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0;
}

/* The generic driver's host CPU (architectures without CPUID): @arch, the
 * model /proc/cpuinfo names and its feature flags, as they are spelled
 * there. @cpuinfo_path: a file to read instead of /proc/cpuinfo (tests). */
static CsCpuDef *
generic_host(const char *arch, const char *cpuinfo_path, GError **error)
{
    g_autoptr(CsCpuDef) def = cs_cpu_def_new(CS_CPU_TYPE_HOST);
    g_auto(GStrv) features = NULL;
    g_autofree char *text = NULL;
    g_autofree char *model = NULL;
    const char *path = cpuinfo_path ? cpuinfo_path : "/proc/cpuinfo";
    const char *source = NULL;

    if (!(text = cli_read_input(path, NULL, &source, error)))
        return NULL;
    if (!(features = cs_host_parse_cpuinfo_features(text, error)))
        return NULL;
    cs_cpu_def_set_arch(def, arch);
    if ((model = cs_host_parse_cpuinfo_model(text)))
        cs_cpu_def_set_model(def, model);
    for (guint i = 0; features[i]; i++)
        cs_cpu_def_add_feature(def, features[i], CS_FEATURE_POLICY_NONE);
    return g_steal_pointer(&def);
}

int
cmd_host(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean explain = FALSE;
    gboolean capabilities = FALSE;
    gboolean kvm = FALSE;
    g_autofree char *cpuinfo = NULL;
    g_autofree char *arch_opt = NULL;
    GOptionEntry entries[] = {
        { "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
          "Say why the model won and what newer models lack", NULL },
        { "capabilities", 0, 0, G_OPTION_ARG_NONE, &capabilities,
          "Print a capabilities document (<host> CPU, x86 <guest>s with cpuselection)",
          NULL },
        { "kvm", 0, 0, G_OPTION_ARG_NONE, &kvm,
          "This host as KVM can offer it: decode KVM's supported CPUID and feature "
          "MSRs instead of the CPU's", NULL },
        /* for tests: another machine's /proc/cpuinfo and arch */
        { "cpuinfo", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &cpuinfo,
          "Read FILE instead of /proc/cpuinfo (generic driver)", "FILE" },
        { "arch", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &arch_opt,
          "Pretend this machine's architecture is ARCH", "ARCH" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- decode this machine's CPU");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsDecodeReport) report = NULL;
    g_autoptr(CsDecodeOptions) opts = NULL;
    g_autofree char *arch = NULL;
    CsTopology topo = { 0 };
    guint64 microcode = 0;
    GError *error = NULL;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "host", 0,
                        "takes no arguments")) >= 0)
        return rc;
    arch = arch_opt ? g_strdup(arch_opt) : cs_host_get_arch();
    if (cpuinfo && is_x86(arch)) {
        cli_common_clear(&common);
        return cli_usage("host", "--cpuinfo is for architectures without CPUID "
                         "(give --arch)");
    }
    if (!is_x86(arch) && kvm) {
        cli_common_clear(&common);
        return cli_usage("host", "--kvm needs an x86 machine");
    }
    if (!is_x86(arch)) {
        /* no CPUID: the generic driver reads /proc/cpuinfo */
        if (!(map = cli_load_map(&common, &error)) ||
            !(def = generic_host(arch, cpuinfo, &error))) {
            cli_common_clear(&common);
            return cli_fail(error);
        }
        /* topology and microcode are this machine's: not with --cpuinfo */
        if (!cpuinfo && cs_host_get_topology(&topo, NULL))
            cs_cpu_def_set_topology(def, topo.sockets, topo.dies, topo.cores,
                                    topo.threads);
        if (capabilities && !common.json)
            rc = print_capabilities(map, def, report);
        else
            rc = cli_print_decoded(map, def, NULL, common.json, "host", TRUE);
        cli_common_clear(&common);
        return rc;
    }
    opts = cs_decode_options_new(CS_DECODE_HOST);
    cs_decode_options_set_fallback(opts, CS_CPU_FALLBACK_ALLOW);
    cs_decode_options_set_report(opts, explain ? &report : NULL);
    if (!(map = cli_load_map(&common, &error)) ||
        !(data = cli_host_data(kvm, NULL, TRUE, &error)) ||
        !(def = cs_cpu_decode_with(map, data, opts, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (arch)
        cs_cpu_def_set_arch(def, arch);
    if (cs_host_get_microcode(&microcode, NULL))
        cs_cpu_def_set_microcode(def, microcode);
    if (cs_host_get_topology(&topo, NULL))
        cs_cpu_def_set_topology(def, topo.sockets, topo.dies, topo.cores, topo.threads);
    if (capabilities && !common.json)
        rc = print_capabilities(map, def, report);
    else
        rc = cli_print_decoded(map, def, report, common.json, "host", TRUE);
    cli_common_clear(&common);
    return rc;
}
