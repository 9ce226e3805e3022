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
        g_autoptr(CsCpuidData) data = is_xml ?
                                      cs_cpuid_data_parse_xml(xml, len, source, error) :
                                      cs_cpuid_data_parse_cpuid_r(xml, len, source, error);

        if (!data)
            return NULL;
        return cs_cpu_decode(map, data, CS_DECODE_HOST, error);
    }
    return cs_cpu_def_parse_xml(xml, len, source, CS_PARSE_AUTO, error);
}

static JsonNode *
report_json(const CsCompareReport *report)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    CsCompareReason reason = cs_compare_report_get_reason(report);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b,
        cs_compare_result_to_string(cs_compare_report_get_result(report)));
    json_builder_set_member_name(b, "reason");
    if (reason == CS_REASON_NONE)
        json_builder_add_null_value(b);
    else
        json_builder_add_string_value(b, cs_compare_reason_to_string(reason));
    json_builder_set_member_name(b, "subject");
    if (cs_compare_report_get_subject(report))
        json_builder_add_string_value(b, cs_compare_report_get_subject(report));
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "features");
    json_builder_add_value(b, cli_json_strv(cs_compare_report_get_features(report)));
    json_builder_set_member_name(b, "message");
    json_builder_add_string_value(b, cs_compare_report_get_message(report));
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

int
cli_print_compare(const CsCompareReport *report, gboolean json)
{
    CsCompareResult result = cs_compare_report_get_result(report);
    int rc;

    if (json) {
        g_autofree char *text = cli_json_to_string(report_json(report));

        rc = cli_print(text);
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
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST GUEST - compare a guest "
                                                         "CPU with a host CPU");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCompareReport) report = NULL;
    GError *error = NULL;
    int rc;

    cli_add_common(ctx, &common);
    g_option_context_set_description(ctx,
        "HOST and GUEST are <cpu> definitions (or documents holding one); a <cpu>\n"
        "with <arch> is a host CPU. HOST may also be a raw <cpudata> dump.\n"
        "Prints IDENTICAL, SUPERSET or INCOMPATIBLE (then the reason); exits 0, 0, 3.");
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    if (argc != 3) {
        cli_common_clear(&common);
        return cli_usage("compare", "expected HOST and GUEST");
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !(host = cli_load_cpu(map, argv[1], &error)) ||
        !(guest = cli_load_cpu(map, argv[2], &error)) ||
        !cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, &error)) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    rc = cli_print_compare(report, common.json);
    cli_common_clear(&common);
    return rc;
}
