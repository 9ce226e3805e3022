/* cpusel models / features: list the CPU map */
#include <stdio.h>
#include <string.h>
#include "cli.h"

int
cmd_models(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- list the CPU models of the map");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    GError *error = NULL;
    g_autofree char *text = NULL;
    g_autofree char *dump = NULL;
    gboolean host = FALSE;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_NONE, &host,
          "Mark each model usable or not on this machine, with its blockers", NULL },
        { "data", 0, 0, G_OPTION_ARG_FILENAME, &dump,
          "Same as --host for a raw CPUID dump (<cpudata> or cpuid -r)", "FILE" },
        G_OPTION_ENTRY_NULL
    };
    guint n;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "models", 0,
                        "takes no arguments")) >= 0)
        return rc;
    if (!(map = cli_load_map(&common, &error)) ||
        (dump && !(data = cli_load_cpuid_data(dump, &error))) ||
        (host && !dump && !(data = cs_cpuid_data_new_from_host(&error)))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    n = cs_cpu_map_get_n_models(map);
    if (common.json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_array(b);
        for (guint i = 0; i < n; i++) {
            g_auto(GStrv) sigs = cs_cpu_map_model_signatures(map, i);
            g_auto(GStrv) feats = cs_cpu_map_model_features(map, i);
            const char *vendor = cs_cpu_map_model_vendor(map, i);
            const char *alias = cs_cpu_map_model_alias_of(map, i);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "name");
            json_builder_add_string_value(b, cs_cpu_map_model_name(map, i));
            json_builder_set_member_name(b, "vendor");
            if (vendor)
                json_builder_add_string_value(b, vendor);
            else
                json_builder_add_null_value(b);
            json_builder_set_member_name(b, "alias_of");
            if (alias)
                json_builder_add_string_value(b, alias);
            else
                json_builder_add_null_value(b);
            json_builder_set_member_name(b, "decode_host");
            json_builder_add_boolean_value(b, cs_cpu_map_model_decode_host(map, i));
            json_builder_set_member_name(b, "decode_guest");
            json_builder_add_boolean_value(b, cs_cpu_map_model_decode_guest(map, i));
            json_builder_set_member_name(b, "signatures");
            json_builder_add_value(b, cli_json_strv((const char *const *) sigs));
            json_builder_set_member_name(b, "features");
            json_builder_add_value(b, cli_json_strv((const char *const *) feats));
            if (data) {
                g_auto(GStrv) blockers = cs_cpu_model_blockers(map, data, i);

                json_builder_set_member_name(b, "usable");
                json_builder_add_boolean_value(b, blockers[0] == NULL);
                json_builder_set_member_name(b, "blockers");
                json_builder_add_value(b, cli_json_strv((const char *const *) blockers));
            }
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
        text = cli_json_to_string(json_builder_get_root(b));
    } else {
        GString *s = g_string_new(NULL);

        if (data)
            g_string_append_printf(s, "%-28s %-8s %-7s %s\n", "MODEL", "VENDOR",
                                   "USABLE", "BLOCKERS");
        else
            g_string_append_printf(s, "%-28s %-8s %-7s %-24s %s\n", "MODEL", "VENDOR",
                                   "DECODE", "VERSION/ALIAS OF", "SIGNATURES");
        for (guint i = 0; i < n; i++) {
            g_auto(GStrv) sigs = cs_cpu_map_model_signatures(map, i);
            g_autofree char *sj = g_strjoinv(" ", sigs);
            const char *vendor = cs_cpu_map_model_vendor(map, i);
            const char *alias = cs_cpu_map_model_alias_of(map, i);
            gboolean h = cs_cpu_map_model_decode_host(map, i);
            gboolean g = cs_cpu_map_model_decode_guest(map, i);

            if (data) {
                g_auto(GStrv) blockers = cs_cpu_model_blockers(map, data, i);
                g_autofree char *bj = g_strjoinv(" ", blockers);

                g_string_append_printf(s, "%-28s %-8s %-7s %s\n",
                                       cs_cpu_map_model_name(map, i),
                                       vendor ? vendor : "-", blockers[0] ? "no" : "yes", bj);
                continue;
            }
            g_string_append_printf(s, "%-28s %-8s %-7s %-24s %s\n",
                                   cs_cpu_map_model_name(map, i), vendor ? vendor : "-",
                                   h && g ? "both" : h ? "host" : g ? "guest" : "-",
                                   alias ? alias : "-", sj);
        }
        text = g_string_free(s, FALSE);
    }
    cli_common_clear(&common);
    return cli_print(text);
}

int
cmd_features(int argc, char **argv)
{
    CliCommon common = { 0 };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- list the CPU features of the map");
    g_autoptr(CsCpuMap) map = NULL;
    GError *error = NULL;
    g_autofree char *text = NULL;
    g_autoptr(JsonBuilder) b = json_builder_new();
    GString *s = g_string_new(NULL);
    guint n;

    cli_add_common(ctx, &common);
    if (!cli_parse(ctx, &argc, &argv) || argc != 1) {
        g_string_free(s, TRUE);
        cli_common_clear(&common);
        return argc != 1 ? cli_usage("features", "unexpected argument") : CPUSEL_EXIT_USAGE;
    }
    if (!(map = cli_load_map(&common, &error))) {
        g_string_free(s, TRUE);
        cli_common_clear(&common);
        return cli_fail(error);
    }
    n = cs_cpu_map_get_n_features(map);
    json_builder_begin_array(b);
    g_string_append_printf(s, "%-28s %-10s %-40s %s\n", "FEATURE", "MIGRATABLE", "BITS",
                           "ALIASES");
    for (guint i = 0; i < n; i++) {
        g_autoptr(CsCpuidData) d = cs_cpu_map_feature_data(map, i);
        const char *const *aliases = cs_cpu_map_feature_aliases(map, i);
        g_autofree char *aj = g_strjoinv(",", (char **) aliases);
        GString *bits = g_string_new(NULL);
        gsize nl = 0, nm = 0;
        const CsCpuidLeaf *l = cs_cpuid_data_get_leaves(d, &nl);
        const CsMsr *m = cs_cpuid_data_get_msrs(d, &nm);

        for (gsize k = 0; k < nl; k++) {
            const char *regs[] = { "eax", "ebx", "ecx", "edx" };
            guint32 v[] = { l[k].eax, l[k].ebx, l[k].ecx, l[k].edx };

            for (guint r = 0; r < 4; r++) {
                if (v[r])
                    g_string_append_printf(bits, "%scpuid 0x%x.%u %s 0x%08x",
                                           bits->len ? "; " : "", l[k].eax_in,
                                           l[k].ecx_in, regs[r], v[r]);
            }
        }
        for (gsize k = 0; k < nm; k++) {
            if (m[k].eax)
                g_string_append_printf(bits, "%smsr 0x%x eax 0x%08x", bits->len ? "; " : "",
                                       m[k].index, m[k].eax);
            if (m[k].edx)
                g_string_append_printf(bits, "%smsr 0x%x edx 0x%08x", bits->len ? "; " : "",
                                       m[k].index, m[k].edx);
        }
        g_string_append_printf(s, "%-28s %-10s %-40s %s\n", cs_cpu_map_feature_name(map, i),
                               cs_cpu_map_feature_migratable(map, i) ? "yes" : "no",
                               bits->str, *aj ? aj : "-");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, cs_cpu_map_feature_name(map, i));
        json_builder_set_member_name(b, "migratable");
        json_builder_add_boolean_value(b, cs_cpu_map_feature_migratable(map, i));
        json_builder_set_member_name(b, "bits");
        json_builder_add_string_value(b, bits->str);
        json_builder_set_member_name(b, "aliases");
        json_builder_add_value(b, cli_json_strv(aliases));
        json_builder_end_object(b);
        g_string_free(bits, TRUE);
    }
    json_builder_end_array(b);
    if (common.json) {
        text = cli_json_to_string(json_builder_get_root(b));
        g_string_free(s, TRUE);
    } else {
        text = g_string_free(s, FALSE);
    }
    cli_common_clear(&common);
    return cli_print(text);
}
