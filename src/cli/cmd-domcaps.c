/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel domcaps / labels: the hypervisor's view of a host (domain
 * capabilities' <cpu>, KubeVirt node labels) */
#include <string.h>
#include "cli.h"

/* Options of both commands: where the host data and the model list come
 * from. */
typedef struct {
    gboolean kvm;
    gboolean host;
    char *data;
    char *qmp;
    char *models;
} HvOptions;

static void
hv_options_clear(HvOptions *o)
{
    g_clear_pointer(&o->data, g_free);
    g_clear_pointer(&o->qmp, g_free);
    g_clear_pointer(&o->models, g_free);
}

static void
hv_options_add(GOptionContext *ctx, HvOptions *o)
{
    GOptionEntry entries[] = {
        { "kvm", 0, 0, G_OPTION_ARG_NONE, &o->kvm,
          "This machine as KVM can offer it: KVM's supported CPUID and feature "
          "MSRs (the default)", NULL },
        { "data", 0, 0, G_OPTION_ARG_FILENAME, &o->data,
          "A raw dump (<cpudata> or cpuid -r), e.g. of 'cpusel dump --kvm'", "FILE" },
        { "host", 0, 0, G_OPTION_ARG_NONE, &o->host,
          "This machine's CPUID as the CPU reports it", NULL },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &o->qmp,
          "QEMU's query-cpu-definitions reply: the models the hypervisor has and "
          "what blocks each", "FILE" },
        { "models", 0, 0, G_OPTION_ARG_STRING, &o->models,
          "The models the hypervisor has (comma-separated; Name:feat:feat marks "
          "blockers), instead of --qmp", "M,..." },
        G_OPTION_ENTRY_NULL
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
}

/* Checks the options; returns -1 to go on or a usage exit code. */
static int
hv_options_check(const HvOptions *o, const char *cmd)
{
    if ((o->kvm != 0) + (o->host != 0) + (o->data != NULL) > 1)
        return cli_usage(cmd, "--kvm, --data and --host exclude each other");
    if (o->qmp && o->models)
        return cli_usage(cmd, "--models and --qmp exclude each other");
    return -1;
}

static CsDomainCaps *
hv_domain_caps(const CsCpuMap *map, const HvOptions *o, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuModelList) list = NULL;
    gboolean kvm = o->kvm || (!o->host && !o->data);

    if (!cli_model_list(o->models, o->qmp, &list, error) ||
        !(data = cli_host_data(kvm, o->data, o->host, error)))
        return NULL;
    return cs_domain_caps_new(map, data, list, error);
}

static void
json_string_or_null(JsonBuilder *b, const char *member, const char *value)
{
    json_builder_set_member_name(b, member);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

static void
json_migratable_mode(JsonBuilder *b, const char *member)
{
    static const char *const values[] = { "on", "off", NULL };

    json_builder_set_member_name(b, member);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "supported");
    json_builder_add_boolean_value(b, TRUE);
    json_builder_set_member_name(b, "migratable");
    json_builder_add_value(b, cli_json_strv(values));
    json_builder_end_object(b);
}

static char *
domcaps_json(const CsDomainCaps *caps)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const CsCpuDef *host_model = cs_domain_caps_get_host_model(caps);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command");
    json_builder_add_string_value(b, "domcaps");
    json_builder_set_member_name(b, "domain");
    json_builder_add_string_value(b, "kvm");
    json_builder_set_member_name(b, "arch");
    json_builder_add_string_value(b, "x86_64");
    json_builder_set_member_name(b, "cpu");
    json_builder_begin_object(b);
    json_migratable_mode(b, "host_passthrough");
    json_migratable_mode(b, "maximum");
    json_builder_set_member_name(b, "host_model");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "supported");
    json_builder_add_boolean_value(b, host_model != NULL);
    if (host_model) {
        json_builder_set_member_name(b, "cpu");
        json_builder_add_value(b, cli_json_cpu_def(host_model));
    }
    json_builder_end_object(b);
    json_builder_set_member_name(b, "custom");
    json_builder_begin_array(b);
    for (guint i = 0; i < cs_domain_caps_get_n_models(caps); i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, cs_domain_caps_model_name(caps, i));
        json_builder_set_member_name(b, "usable");
        json_builder_add_boolean_value(b, cs_domain_caps_model_usable(caps, i));
        json_builder_set_member_name(b, "deprecated");
        json_builder_add_boolean_value(b, cs_domain_caps_model_deprecated(caps, i));
        json_string_or_null(b, "vendor", cs_domain_caps_model_vendor(caps, i));
        json_string_or_null(b, "canonical", cs_domain_caps_model_canonical(caps, i));
        json_builder_set_member_name(b, "blockers");
        json_builder_add_value(b, cli_json_strv(cs_domain_caps_model_blockers(caps, i)));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return cli_json_to_string(json_builder_get_root(b));
}

int
cmd_domcaps(int argc, char **argv)
{
    CliCommon common = { 0 };
    HvOptions o = { 0 };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the domain capabilities' "
                                                         "CPU modes of a host");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_autofree char *text = NULL;
    GError *error = NULL;
    int rc;

    hv_options_add(ctx, &o);
    g_option_context_set_description(ctx,
        "Prints libvirt's <domainCapabilities> <cpu> element: host-passthrough and\n"
        "maximum, the host-model CPU (the data decoded as a guest CPU, without\n"
        "migration blockers) and every model with its usability and blockers.\n"
        "With --qmp, QEMU's reply says which models exist and what blocks them.");
    if ((rc = cli_setup(ctx, NULL, &common, &argc, &argv, "domcaps", 0,
                        "takes no arguments")) >= 0 ||
        (rc = hv_options_check(&o, "domcaps")) >= 0) {
        cli_common_clear(&common);
        hv_options_clear(&o);
        return rc;
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !(caps = hv_domain_caps(map, &o, &error))) {
        cli_common_clear(&common);
        hv_options_clear(&o);
        return cli_fail(error);
    }
    text = common.json ? domcaps_json(caps) : cs_domain_caps_format_xml(caps);
    cli_common_clear(&common);
    hv_options_clear(&o);
    return cli_print(text);
}

int
cmd_labels(int argc, char **argv)
{
    CliCommon common = { 0 };
    HvOptions o = { 0 };
    g_autofree char *obsolete = NULL;
    GOptionEntry entries[] = {
        { "obsolete", 0, 0, G_OPTION_ARG_STRING, &obsolete,
          "Models to leave out (comma-separated; empty for none) instead of "
          "KubeVirt's default obsolete models", "M,..." },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- KubeVirt node labels of a "
                                                         "host");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsDomainCaps) caps = NULL;
    g_auto(GStrv) obsolete_list = NULL;
    g_auto(GStrv) labels = NULL;
    g_autofree char *text = NULL;
    GError *error = NULL;
    int rc;

    hv_options_add(ctx, &o);
    g_option_context_set_description(ctx,
        "Prints the CPU labels KubeVirt's node-labeller gives a node, one\n"
        "key=value per line: usable models, the host-model, its features, the vendor.");
    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "labels", 0,
                        "takes no arguments")) >= 0 ||
        (rc = hv_options_check(&o, "labels")) >= 0) {
        cli_common_clear(&common);
        hv_options_clear(&o);
        return rc;
    }
    if (obsolete)
        obsolete_list = g_strsplit(obsolete, ",", -1);
    if (!(map = cli_load_map(&common, &error)) ||
        !(caps = hv_domain_caps(map, &o, &error)) ||
        !(labels = cs_domain_caps_labels(map, caps, (const char *const *) obsolete_list,
                                         &error))) {
        cli_common_clear(&common);
        hv_options_clear(&o);
        return cli_fail(error);
    }
    if (common.json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "command");
        json_builder_add_string_value(b, "labels");
        json_builder_set_member_name(b, "labels");
        json_builder_begin_object(b);
        for (guint i = 0; labels[i]; i++) {
            char *eq = strchr(labels[i], '=');

            *eq = '\0';
            json_builder_set_member_name(b, labels[i]);
            json_builder_add_string_value(b, eq + 1);
            *eq = '=';
        }
        json_builder_end_object(b);
        json_builder_end_object(b);
        text = cli_json_to_string(json_builder_get_root(b));
    } else {
        g_autofree char *joined = g_strjoinv("\n", labels);

        text = g_strconcat(joined, "\n", NULL);
    }
    cli_common_clear(&common);
    hv_options_clear(&o);
    return cli_print(text);
}
