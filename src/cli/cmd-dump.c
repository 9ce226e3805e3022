/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel dump: raw CPU data as libvirt's <cpudata> XML */
#include "cli.h"

int
cmd_dump(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autofree char *from = NULL;
    gboolean kvm = FALSE;
    GOptionEntry entries[] = {
        { "from-cpuid-r", 0, 0, G_OPTION_ARG_FILENAME, &from,
          "Convert the output of 'cpuid -r' or 'cpuid -1 -r' instead of reading "
          "this machine", "FILE" },
        { "kvm", 0, 0, G_OPTION_ARG_NONE, &kvm,
          "What KVM can give a guest on this machine (its supported CPUID and "
          "feature MSRs, from /dev/kvm)", NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- print raw CPU data");
    g_autoptr(CsCpuidData) data = NULL;
    g_autofree char *text = NULL;
    GError *error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, &common);
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    cli_common_clear(&common);
    if (argc != 1) {
        g_autofree char *shown = cli_shown(argv[1]);

        return cli_usage("dump", "unexpected argument '%s'", shown);
    }
    if (from && kvm)
        return cli_usage("dump", "--kvm and --from-cpuid-r exclude each other");
    if (kvm) {
        data = cs_cpuid_data_new_from_kvm(&error);
    } else if (from) {
        g_autofree char *buf = NULL;
        gsize len = 0;
        const char *source = NULL;

        if (!(buf = cli_read_input(from, &len, &source, &error)))
            return cli_fail(error);
        data = cs_cpuid_data_parse_cpuid_r(buf, len, source, &error);
    } else {
        data = cs_cpuid_data_new_from_host(&error);
    }
    if (!data)
        return cli_fail(error);
    if (common.json) {
        JsonBuilder *b = cli_json_begin("dump");

        json_builder_set_member_name(b, "cpudata");
        json_builder_add_value(b, cli_json_cpudata(data));
        return cli_json_finish(b);
    } else {
        text = cs_cpuid_data_format_xml(data);
    }
    rc = cli_print(text);
    return rc;
}
