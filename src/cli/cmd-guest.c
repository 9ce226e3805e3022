/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel guest: the CPU a hypervisor gives a guest on a host
 *
 * --format qemu prints QEMU's -cpu argument: the model, ",enforce" for a
 * guest with check='full' (QEMU then refuses to start without every
 * feature), then each listed feature as NAME=on (required) or NAME=off
 * (disabled). QEMU spells a few features differently from the CPU map:
 * 'pclmuldq' is 'pclmulqdq', and QEMU writes '-' where the map writes '_'
 * (lahf_lm -> lahf-lm).
 *
 * With --kvm the host is KVM's host-model CPU on this machine and a guest
 * forcing a feature KVM cannot give is refused: the argument never asks
 * QEMU for one.
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

/* @enforce: QEMU is to refuse to start when the host cannot give a
 * feature (libvirt's check='full'). */
static char *
qemu_cpu_arg(const CsCpuDef *def, gboolean enforce)
{
    CsCpuMode mode = cs_cpu_def_get_mode(def);
    /* host-passthrough and maximum are QEMU's "host" and "max" models */
    g_autoptr(GString) s = g_string_new(mode == CS_CPU_MODE_HOST_PASSTHROUGH ? "host" :
                                        mode == CS_CPU_MODE_MAXIMUM ? "max" :
                                        cs_cpu_def_get_model(def));

    if (enforce)
        g_string_append(s, ",enforce");

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
    g_autofree char *qmp = NULL;
    gboolean kvm = FALSE;
    GOptionEntry entries[] = {
        { "format", 0, 0, G_OPTION_ARG_STRING, &format,
          "Output: xml (default), qemu (the -cpu argument) or json", "FORMAT" },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Models the hypervisor supports (comma-separated; Name:feat:feat marks "
          "blockers)", "M,..." },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &qmp,
          "QEMU's query-cpu-definitions reply: its models and their blockers "
          "(instead of --models)", "FILE" },
        { "kvm", 0, 0, G_OPTION_ARG_NONE, &kvm,
          "The host is this machine as KVM can offer it (its host-model CPU); then "
          "only GUEST is given, and no feature KVM cannot give is asked for", NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST GUEST | --kvm GUEST - the "
                                                         "CPU a hypervisor gives the "
                                                         "guest");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuDef) host = NULL;
    g_autoptr(CsCpuDef) guest = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_auto(GStrv) allowed = NULL;
    g_autoptr(CsGuestOptions) opts = NULL;
    g_autoptr(CsCpuModelList) list = NULL;
    g_autofree char *text = NULL;
    gboolean enforce;
    GError *error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, &common);
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    if (argc != (kvm ? 2 : 3)) {
        cli_common_clear(&common);
        return cli_usage("guest", kvm ? "expected GUEST (the host is KVM's)"
                                      : "expected HOST and GUEST");
    }
    if (models && qmp) {
        cli_common_clear(&common);
        return cli_usage("guest", "--models and --qmp exclude each other");
    }
    if (format && strcmp(format, "xml") != 0 && strcmp(format, "qemu") != 0 &&
        strcmp(format, "json") != 0) {
        g_autofree char *shown = cli_shown(format);

        cli_common_clear(&common);
        return cli_usage("guest", "unknown format '%s' (xml, qemu or json)", shown);
    }
    if (common.json && !format)
        format = g_strdup("json");
    if (!(map = cli_load_map(&common, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (models) {
        g_auto(GStrv) typed = g_strsplit(models, ",", -1);

        if (!cli_check_models(map, "guest", "--models", typed)) {
            cli_common_clear(&common);
            return CPUSEL_EXIT_USAGE;
        }
    }
    if (!cli_model_list(models, qmp, &list, &error) ||
        !(host = kvm ? cli_kvm_host_model(map, list, &error)
                     : cli_load_cpu(map, argv[1], &error)) ||
        !(guest = cli_load_cpu(map, argv[kvm ? 1 : 2], &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (list)
        allowed = cs_cpu_model_list_to_allowed(list, map);
    enforce = cs_cpu_def_get_check(guest) == CS_CPU_CHECK_FULL;
    opts = cs_guest_options_new(kvm ? CS_GUEST_HOST_ONLY : CS_GUEST_DEFAULT);
    cs_guest_options_set_allowed(opts, (const char *const *) allowed);
    if (!cs_cpu_guest_data_with(map, host, guest, opts, &def, &data, &error)) {
        g_autoptr(CsCompareReport) report = NULL;

        if (!g_error_matches(error, CS_ERROR, CS_ERROR_INCOMPATIBLE)) {
            cli_common_clear(&common);
            return cli_fail(error);
        }
        /* an incompatible pair: the same verdict compare gives */
        if (format && strcmp(format, "json") == 0 &&
            cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, NULL) &&
            cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE) {
            g_clear_error(&error);
            cli_common_clear(&common);
            return cli_print_compare(report, TRUE, "guest");
        }
        cli_common_clear(&common);
        cli_fail(error);
        return CPUSEL_EXIT_INCOMPATIBLE;
    }
    if (format && strcmp(format, "qemu") == 0) {
        g_autofree char *arg = qemu_cpu_arg(def, enforce);

        text = g_strdup_printf("%s\n", arg);
    } else if (format && strcmp(format, "json") == 0) {
        JsonBuilder *b = cli_json_begin("guest");
        g_autofree char *arg = qemu_cpu_arg(def, enforce);
        g_autoptr(CsCompareReport) report = NULL;

        /* the pair's verdict, as compare gives it (identical or superset) */
        if (cs_cpu_compare(map, host, guest, CS_COMPARE_DEFAULT, &report, NULL))
            cli_json_verdict(b, report);
        json_builder_set_member_name(b, "cpu");
        json_builder_add_value(b, cli_json_cpu_def(def));
        json_builder_set_member_name(b, "qemu");
        json_builder_add_string_value(b, arg);
        json_builder_set_member_name(b, "cpudata");
        json_builder_add_value(b, cli_json_cpudata(data));
        rc = cli_json_finish(b);
        cli_common_clear(&common);
        return rc;
    } else {
        text = cs_cpu_def_format_xml_full(def, 0, cs_cpu_map_get_format_flags(map));
    }
    rc = cli_print(text);
    cli_common_clear(&common);
    return rc;
}
