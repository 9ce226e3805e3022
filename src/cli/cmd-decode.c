/* cpusel decode: raw CPUID dump -> CPU model + features */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* Shared by decode and host: prints @def (with the explanation and psABI
 * level when asked) as XML or JSON. */
int cli_print_decoded(const CsCpuMap *map, const CsCpuDef *def,
                      const CsDecodeReport *report, gboolean json, gboolean level_in_text);

int
cli_print_decoded(const CsCpuMap *map, const CsCpuDef *def,
                  const CsDecodeReport *report, gboolean json, gboolean level_in_text)
{
    /* NULL for a CPU the x86 map cannot describe (another arch) */
    const char *level = cs_cpu_def_psabi_level(map, def, NULL);

    if (json) {
        g_autoptr(JsonBuilder) b = json_builder_new();
        g_autofree char *text = NULL;

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "cpu");
        json_builder_add_value(b, cli_json_cpu_def(def));
        json_builder_set_member_name(b, "psabi_level");
        if (level)
            json_builder_add_string_value(b, level);
        else
            json_builder_add_null_value(b);
        if (report) {
            json_builder_set_member_name(b, "explain");
            json_builder_add_value(b, cli_report_json(report, 5));
        }
        json_builder_end_object(b);
        text = cli_json_to_string(json_builder_get_root(b));
        return cli_print(text);
    } else {
        g_autofree char *xml = cs_cpu_def_format_xml_full(def, 0, cs_cpu_map_get_format_flags(map));
        GString *out = g_string_new(xml);
        int rc;

        if (report) {
            g_autofree char *ex = cli_report_text(report, 5);

            g_string_append(out, ex);
        }
        if (level && (report || level_in_text))
            g_string_append_printf(out, "psABI level: %s\n", level);
        rc = cli_print(out->str);
        g_string_free(out, TRUE);
        return rc;
    }
}

int
cmd_decode(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean guest = FALSE, explain = FALSE, migratable = FALSE;
    g_autofree char *models = NULL;
    g_autofree char *prefer = NULL;
    g_autofree char *fallback = NULL;
    int fb = CS_CPU_FALLBACK_ALLOW;
    GOptionEntry entries[] = {
        { "guest", 0, 0, G_OPTION_ARG_NONE, &guest,
          "Decode as a guest CPU (match exact, disabled features)", NULL },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Only use these models (comma-separated; Name:feat:feat marks blockers)", "M,..." },
        { "prefer", 0, 0, G_OPTION_ARG_STRING, &prefer,
          "Prefer these models (comma-separated)", "M,..." },
        { "fallback", 0, 0, G_OPTION_ARG_STRING, &fallback,
          "When the only preferred model is not allowed: 'allow' the closest "
          "one (default) or 'forbid' (fail)", "allow|forbid" },
        { "migratable", 0, 0, G_OPTION_ARG_NONE, &migratable,
          "Drop features that block migration", NULL },
        { "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
          "Say why the model won and what newer models lack", NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("FILE - decode a raw CPUID dump");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsDecodeReport) report = NULL;
    g_auto(GStrv) allowed = NULL;
    g_auto(GStrv) preferred = NULL;
    GError *error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, &common);
    g_option_context_set_description(ctx,
        "FILE holds libvirt <cpudata> XML or the output of 'cpuid -r'.");
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    if (argc != 2) {
        cli_common_clear(&common);
        return cli_usage("decode", "expected exactly one FILE");
    }
    if (fallback && (fb = cs_cpu_fallback_from_string(fallback)) < 0) {
        g_autofree char *shown = cli_shown(fallback);

        cli_common_clear(&common);
        return cli_usage("decode", "invalid --fallback '%s' (allow or forbid)", shown);
    }
    if (models)
        allowed = g_strsplit(models, ",", -1);
    if (prefer)
        preferred = g_strsplit(prefer, ",", -1);
    if (!(map = cli_load_map(&common, &error)) ||
        !(data = cli_load_cpuid_data(argv[1], &error)) ||
        !(def = cs_cpu_decode_full(map, data,
                                   (guest ? CS_DECODE_GUEST : CS_DECODE_HOST) |
                                   (migratable ? CS_DECODE_MIGRATABLE : 0),
                                   (const char *const *) allowed,
                                   (const char *const *) preferred,
                                   fb, explain ? &report : NULL, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    rc = cli_print_decoded(map, def, report, common.json, FALSE);
    cli_common_clear(&common);
    return rc;
}
