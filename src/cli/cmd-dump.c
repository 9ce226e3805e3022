/* cpusel dump: raw CPU data as libvirt's <cpudata> XML */
#include "cli.h"

int
cmd_dump(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autofree char *from = NULL;
    GOptionEntry entries[] = {
        { "from-cpuid-r", 0, 0, G_OPTION_ARG_FILENAME, &from,
          "Convert the output of 'cpuid -r' or 'cpuid -1 -r' instead of reading "
          "this machine", "FILE" },
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
    if (from) {
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
        g_autoptr(JsonBuilder) b = json_builder_new();
        gsize n = 0;
        const CsCpuidLeaf *l = cs_cpuid_data_get_leaves(data, &n);
        const CsMsr *m;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "cpuid");
        json_builder_begin_array(b);
        for (gsize i = 0; i < n; i++) {
            const char *keys[] = { "eax_in", "ecx_in", "eax", "ebx", "ecx", "edx" };
            guint32 vals[] = { l[i].eax_in, l[i].ecx_in, l[i].eax, l[i].ebx,
                               l[i].ecx, l[i].edx };

            json_builder_begin_object(b);
            for (guint k = 0; k < 6; k++) {
                g_autofree char *hex = g_strdup_printf("0x%08x", vals[k]);

                json_builder_set_member_name(b, keys[k]);
                json_builder_add_string_value(b, hex);
            }
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_set_member_name(b, "msr");
        json_builder_begin_array(b);
        m = cs_cpuid_data_get_msrs(data, &n);
        for (gsize i = 0; i < n; i++) {
            g_autofree char *idx = g_strdup_printf("0x%x", m[i].index);
            g_autofree char *eax = g_strdup_printf("0x%08x", m[i].eax);
            g_autofree char *edx = g_strdup_printf("0x%08x", m[i].edx);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "index");
            json_builder_add_string_value(b, idx);
            json_builder_set_member_name(b, "eax");
            json_builder_add_string_value(b, eax);
            json_builder_set_member_name(b, "edx");
            json_builder_add_string_value(b, edx);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        json_builder_end_object(b);
        text = cli_json_to_string(json_builder_get_root(b));
    } else {
        text = cs_cpuid_data_format_xml(data);
    }
    rc = cli_print(text);
    return rc;
}
