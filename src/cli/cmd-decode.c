/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel decode: raw CPUID dump -> CPU model + features */
#include <stdio.h>
#include <string.h>
#include "cli.h"

/* Shared by decode and host: prints @def as one document, XML or JSON
 * (@command names it in JSON). In XML the explanation and, with @level_note,
 * the psABI level go in a comment after the <cpu> element. */
int cli_print_decoded(const CsCpuMap *map, const CsCpuDef *def,
                      const CsDecodeReport *report, gboolean json, const char *command,
                      gboolean level_note);

char *
cli_decoded_note(const CsCpuMap *map, const CsCpuDef *def, const CsDecodeReport *report,
                 gboolean level_note)
{
    /* NULL for a CPU the x86 map cannot describe (another arch) */
    const char *level = cs_cpu_def_psabi_level(map, def, NULL);
    GString *note = g_string_new(NULL);

    if (report) {
        g_autofree char *ex = cli_report_text(report, 5);

        g_string_append(note, ex);
    }
    if (level && (report || level_note))
        g_string_append_printf(note, "psABI level: %s\n", level);
    return g_string_free(note, FALSE);
}

int
cli_print_decoded(const CsCpuMap *map, const CsCpuDef *def,
                  const CsDecodeReport *report, gboolean json, const char *command,
                  gboolean level_note)
{
    const char *level = cs_cpu_def_psabi_level(map, def, NULL);

    if (json) {
        JsonBuilder *b = cli_json_begin(command);

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
        return cli_json_finish(b);
    } else {
        g_autofree char *xml = cs_cpu_def_format_xml_full(def, 0,
                                                          cs_cpu_map_get_format_flags(map));
        g_autofree char *note = cli_decoded_note(map, def, report, level_note);
        g_autoptr(GString) out = g_string_new(xml);

        cli_append_comment(out, note);
        return cli_print(out->str);
    }
}

/* Decodes @data with @opts restricted to @allowed, which is known only
 * once --models or --qmp has been read. */
static CsCpuDef *
decode_allowed(const CsCpuMap *map, const CsCpuidData *data, CsDecodeOptions *opts,
               char **allowed, GError **error)
{
    cs_decode_options_set_allowed(opts, (const char *const *) allowed);
    return cs_cpu_decode_with(map, data, opts, error);
}

int
cmd_decode(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean guest = FALSE, explain = FALSE, migratable = FALSE;
    g_autofree char *models = NULL;
    g_autofree char *prefer = NULL;
    g_autofree char *fallback = NULL;
    g_autofree char *qmp = NULL;
    int fb = CS_CPU_FALLBACK_ALLOW;
    GOptionEntry entries[] = {
        { "guest", 0, 0, G_OPTION_ARG_NONE, &guest,
          "Decode as a guest CPU (match exact, disabled features)", NULL },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Only use these models (comma-separated; Name:feat:feat marks blockers)", "M,..." },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &qmp,
          "Only use the models of QEMU's query-cpu-definitions reply in FILE, blocked "
          "by their unavailable features (as --models)", "FILE" },
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
    g_autoptr(CsDecodeOptions) opts = NULL;
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
    if (models && qmp) {
        cli_common_clear(&common);
        return cli_usage("decode", "--models and --qmp exclude each other");
    }
    if (prefer)
        preferred = g_strsplit(prefer, ",", -1);
    if (!(map = cli_load_map(&common, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    if (models) {
        g_auto(GStrv) typed = g_strsplit(models, ",", -1);

        if (!cli_check_models(map, "decode", "--models", typed)) {
            cli_common_clear(&common);
            return CPUSEL_EXIT_USAGE;
        }
    }
    if (!cli_check_models(map, "decode", "--prefer", preferred)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    opts = cs_decode_options_new((guest ? CS_DECODE_GUEST : CS_DECODE_HOST) |
                                 (migratable ? CS_DECODE_MIGRATABLE : 0));
    cs_decode_options_set_preferred(opts, (const char *const *) preferred);
    cs_decode_options_set_fallback(opts, fb);
    cs_decode_options_set_report(opts, explain ? &report : NULL);
    if (!cli_allowed_models(map, models, qmp, &allowed, &error) ||
        !(data = cli_load_cpuid_data(argv[1], &error)) ||
        !(def = decode_allowed(map, data, opts, allowed, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    rc = cli_print_decoded(map, def, report, common.json, "decode", FALSE);
    cli_common_clear(&common);
    return rc;
}
