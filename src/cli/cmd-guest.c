/* cpusel guest: the CPU a hypervisor gives a guest on a host
 *
 * --format qemu prints QEMU's -cpu argument: the model, then each listed
 * feature as NAME=on (required) or NAME=off (disabled). QEMU spells a few
 * features differently from the CPU map: 'pclmuldq' is 'pclmulqdq', and
 * QEMU writes '-' where the map writes '_' (lahf_lm -> lahf-lm).
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static char *
qemu_feature_name(const char *name)
{
    if (strcmp(name, "pclmuldq") == 0)
        return g_strdup("pclmulqdq");
    return g_strdelimit(g_strdup(name), "_", '-');
}

static char *
qemu_cpu_arg(const CsCpuDef *def)
{
    g_autoptr(GString) s = g_string_new(cs_cpu_def_get_model(def));

    for (guint i = 0; i < cs_cpu_def_get_n_features(def); i++) {
        CsFeaturePolicy policy;
        const char *name = cs_cpu_def_get_feature(def, i, &policy);
        g_autofree char *qname = qemu_feature_name(name);

        if (policy == CS_FEATURE_DISABLE || policy == CS_FEATURE_FORBID)
            g_string_append_printf(s, ",%s=off", qname);
        else if (policy != CS_FEATURE_OPTIONAL)
            g_string_append_printf(s, ",%s=on", qname);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

int
cmd_guest(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autofree char *format = NULL;
    g_autofree char *models = NULL;
    GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          "Output: xml (default), qemu (the -cpu argument) or json", "FORMAT" },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Models the hypervisor supports (comma-separated; Name:feat:feat marks "
          "blockers)", "M,..." },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST GUEST - the CPU a "
                                                         "hypervisor gives the guest");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_auto(GStrv) allowed = NULL;
    g_autofree char *text = NULL;
    GError *error = NULL;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "guest", 2, "expected HOST and GUEST")) >= 0)
        return rc;
    if (format && strcmp(format, "xml") != 0 && strcmp(format, "qemu") != 0 &&
        strcmp(format, "json") != 0) {
        g_autofree char *shown = cli_shown(format);

        cli_common_clear(&common);
        return cli_usage("guest", "unknown format '%s' (xml, qemu or json)", shown);
    }
    if (common.json && !format)
        format = g_strdup("json");
    if (models)
        allowed = g_strsplit(models, ",", -1);
    if (!(map = cli_load_map(&common, &error)) ||
        !(host = cli_load_cpu(map, argv[1], &error)) ||
        !(guest = cli_load_cpu(map, argv[2], &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (!cs_cpu_guest_data(map, host, guest, (const char *const *) allowed, &def, &data,
                           &error)) {
        gboolean incompatible = g_error_matches(error, CS_ERROR, CS_ERROR_INCOMPATIBLE);

        cli_common_clear(&common);
        rc = cli_fail(error);
        return incompatible ? CPUSEL_EXIT_INCOMPATIBLE : rc;
    }
    if (format && strcmp(format, "qemu") == 0) {
        g_autofree char *arg = qemu_cpu_arg(def);

        text = g_strdup_printf("%s\n", arg);
    } else if (format && strcmp(format, "json") == 0) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *arg = qemu_cpu_arg(def);
        g_autofree char *xml = cs_cpuid_data_format_xml(data);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "cpu");
        json_builder_add_value(b, cli_json_cpu_def(def));
        json_builder_set_member_name(b, "qemu");
        json_builder_add_string_value(b, arg);
        json_builder_set_member_name(b, "cpudata");
        json_builder_add_string_value(b, xml);
        json_builder_end_object(b);
        text = cli_json_to_string(json_builder_get_root(b));
    } else {
        text = cs_cpu_def_format_xml_full(def, 0, cs_cpu_map_get_format_flags(map));
    }
    rc = cli_print(text);
    cli_common_clear(&common);
    return rc;
}
