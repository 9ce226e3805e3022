/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel compare: can a guest CPU run on a host CPU? */
#include <stdio.h>
#include <string.h>
#include "cli.h"

CsCpuDef *
cli_load_cpu(const CsCpuMap *map, const char *path, GError **error)
{
    g_autofree char *xml = NULL;
    gsize len = 0;
    const char *start;
    const char *source = NULL;
    gboolean is_xml;

    if (!(xml = cli_read_input(path, &len, &source, error)))
        return NULL;
    /* a raw dump where a CPU is expected (<cpudata> XML, or the text of
     * `cpuid -r`): decode it as the host CPU */
    start = g_str_has_prefix(xml, "\xef\xbb\xbf") ? xml + 3 : xml;
    is_xml = start[strspn(start, " \t\r\n")] == '<';

    if ((strstr(xml, "<cpudata") && !strstr(xml, "<cpu>") && !strstr(xml, "<cpu ")) ||
        !is_xml) {
        g_autoptr(CsCpuidData) data = cs_cpuid_data_parse(xml, len, source, error);

        if (!data)
            return NULL;
        return cs_cpu_decode(map, data, CS_DECODE_HOST, error);
    }
    return cs_cpu_def_parse_xml(xml, len, source, CS_PARSE_AUTO, error);
}

int
cli_print_compare(const CsCompareReport *report, gboolean json, const char *command)
{
    CsCompareResult result = cs_compare_report_get_result(report);
    int rc;

    if (json) {
        JsonBuilder *b = cli_json_begin(command);

        cli_json_verdict(b, report);
        rc = cli_json_finish(b);
    } else {
        g_autofree char *word = g_ascii_strup(cs_compare_result_to_string(result), -1);
        g_autofree char *text = NULL;

        if (result == CS_COMPARE_INCOMPATIBLE)
            text = g_strdup_printf("%s\n%s\n", word, cs_compare_report_get_message(report));
        else
            text = g_strdup_printf("%s\n", word);
        rc = cli_print(text);
    }
    if (rc != CPUSEL_EXIT_OK)
        return rc;
    return result == CS_COMPARE_INCOMPATIBLE ? CPUSEL_EXIT_INCOMPATIBLE : CPUSEL_EXIT_OK;
}

int
cmd_compare(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean kvm = FALSE;
    g_autofree char *qmp = NULL;
    GOptionEntry entries[] = {
        { "kvm", 0, 0, G_OPTION_ARG_NONE, &kvm,
          "Compare with this host as KVM can offer it (its host-model CPU, as "
          "'virsh hypervisor-cpu-compare'); then only GUEST is given", NULL },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &qmp,
          "With --kvm: QEMU's query-cpu-definitions reply, the models the "
          "host-model may use", "FILE" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST GUEST | --kvm GUEST - "
                                                         "compare a guest CPU with a "
                                                         "host CPU");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCompareReport) report = NULL;
    g_autoptr(CsCpuModelList) list = NULL;
    GError *error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, &common);
    g_option_context_set_description(ctx,
        "HOST and GUEST are <cpu> definitions (or documents holding one); a <cpu>\n"
        "with <arch> is a host CPU. HOST may also be a raw <cpudata> dump.\n"
        "Prints IDENTICAL, SUPERSET or INCOMPATIBLE (then the reason); exits 0, 0, 3.");
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    if (argc != (kvm ? 2 : 3)) {
        cli_common_clear(&common);
        return cli_usage("compare", kvm ? "expected GUEST (the host is KVM's)"
                                        : "expected HOST and GUEST");
    }
    if (qmp && !kvm) {
        cli_common_clear(&common);
        return cli_usage("compare", "--qmp goes with --kvm");
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !cli_model_list(NULL, qmp, &list, &error) ||
        !(host = kvm ? cli_kvm_host_model(map, list, &error)
                     : cli_load_cpu(map, argv[1], &error)) ||
        !(guest = cli_load_cpu(map, argv[kvm ? 1 : 2], &error)) ||
        !cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, &error)) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    rc = cli_print_compare(report, common.json, "compare");
    cli_common_clear(&common);
    return rc;
}
