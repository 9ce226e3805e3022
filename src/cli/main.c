/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel: the command-line tool; one subcommand per cmd-*.c file */
#include <string.h>
#include <locale.h>
#include <stdio.h>
#include "cli.h"

static const CliCommand commands[] = {
    { "host", "decode this machine's CPU", cmd_host },
    { "decode", "decode a raw CPUID dump into a CPU model and features", cmd_decode },
    { "dump", "print raw CPU data (this machine's, KVM's or a cpuid -r file) as <cpudata>", cmd_dump },
    { "models", "list the CPU models of the map", cmd_models },
    { "features", "list the CPU features of the map", cmd_features },
    { "compare", "compare a guest CPU with a host CPU", cmd_compare },
    { "encode", "encode a CPU definition as raw CPUID data or hypervisor masks", cmd_encode },
    { "update", "update a guest CPU against a host CPU", cmd_update },
    { "guest", "the CPU a hypervisor gives a guest on a host", cmd_guest },
    { "baseline", "compute one guest CPU every host CPU can run", cmd_baseline },
    { "plan", "plan a fleet: shared CPU, psABI levels, hosts holding it back", cmd_plan },
    { "domcaps", "the domain capabilities' CPU modes of a host (KVM's view by default)",
      cmd_domcaps },
    { "labels", "KubeVirt node labels of a host (usable models, host-model, features)",
      cmd_labels },
};

static void
print_help(FILE *out)
{
    g_autoptr(CliTable) t = cli_table_new(2, 0);
    GString *s = g_string_new(NULL);

    fprintf(out, "Usage: cpusel COMMAND [OPTION...] [ARG...]\n\n"
                 "Selects CPU models for virtual machines.\n\nCommands:\n");
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
        cli_table_add_row(t, commands[i].name, commands[i].summary);
    cli_table_append(t, s, "  ");
    fputs(s->str, out);
    g_string_free(s, TRUE);
    fprintf(out, "\nEvery command takes --cpu-map DIR (a libvirt cpu_map directory "
                 "instead of the built-in map;\n'system': the installed libvirt's, "
                 CLI_SYSTEM_CPU_MAP ") and --json.\n"
                 "Run 'cpusel COMMAND --help' for its options.\n\n"
                 "  --version  print the version and the CPU map's identity "
                 "(also with --json, --cpu-map)\n");
}

/* cpusel --version [--json] [--cpu-map DIR]: the version and which map the
 * answers come from (the built-in map: the libvirt release its facts match,
 * from data/cpu-map/index; counts of vendors, features and models). */
static int
print_version(int argc, char **argv)
{
    CliCommon common = { 0 };
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "version", 0, 0, G_OPTION_ARG_NONE, &version,
          "Print the version and the CPU map's identity", NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the version and the CPU map");
    g_autoptr(CsCpuMap) map = NULL;
    g_autofree char *text = NULL;
    const char *identity;
    GError *error = NULL;
    int rc;

    if ((rc = cli_setup(ctx, entries, &common, &argc, &argv, "--version", 0,
                        "takes no arguments")) >= 0)
        return rc;
    if (!(map = cli_load_map(&common, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    identity = cs_cpu_map_get_identity(map);
    if (common.json) {
        g_autoptr(JsonBuilder) b = json_builder_new();

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "version");
        json_builder_add_string_value(b, CPUSEL_VERSION);
        json_builder_set_member_name(b, "cpu_map");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "source");
        json_builder_add_string_value(b, cs_cpu_map_get_source(map));
        json_builder_set_member_name(b, "identity");
        if (identity)
            json_builder_add_string_value(b, identity);
        else
            json_builder_add_null_value(b);
        json_builder_set_member_name(b, "vendors");
        json_builder_add_int_value(b, cs_cpu_map_get_n_vendors(map));
        json_builder_set_member_name(b, "features");
        json_builder_add_int_value(b, cs_cpu_map_get_n_features(map));
        json_builder_set_member_name(b, "models");
        json_builder_add_int_value(b, cs_cpu_map_get_n_models(map));
        json_builder_end_object(b);
        json_builder_end_object(b);
        text = cli_json_to_string(json_builder_get_root(b));
    } else {
        text = g_strdup_printf("cpusel %s\nCPU map: %s%s%s (%u vendors, %u features, "
                               "%u models)\n", CPUSEL_VERSION,
                               cs_cpu_map_get_source(map),
                               identity ? ", matching " : "",
                               identity ? identity : "",
                               cs_cpu_map_get_n_vendors(map),
                               cs_cpu_map_get_n_features(map),
                               cs_cpu_map_get_n_models(map));
    }
    cli_common_clear(&common);
    return cli_print(text);
}

/* TRUE when the arguments before any command hold --version. */
static gboolean
wants_version(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0)
            return TRUE;
        /* the value of --cpu-map DIR is no command */
        if (strcmp(argv[i], "--cpu-map") == 0)
            i++;
    }
    return FALSE;
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2) {
        fprintf(stderr, "cpusel: no command given ('cpusel --help' lists them)\n");
        return CPUSEL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return CPUSEL_EXIT_OK;
    }
    if (wants_version(argc, argv))
        return print_version(argc, argv);
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    }
    {
        g_autofree char *shown = cli_shown(argv[1]);
        g_autofree char *msg = g_strdup_printf("unknown command '%s'; 'cpusel --help' "
                                               "lists them", shown);

        cli_error("cpusel", msg);
    }
    return CPUSEL_EXIT_USAGE;
}
