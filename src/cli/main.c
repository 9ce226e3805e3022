/* cpusel: the command-line tool; one subcommand per cmd-*.c file */
#include <string.h>
#include <locale.h>
#include <stdio.h>
#include "cli.h"

static const CliCommand commands[] = {
    { "host", "decode this machine's CPU", cmd_host },
    { "decode", "decode a raw CPUID dump into a CPU model and features", cmd_decode },
    { "dump", "print raw CPU data (this machine's or a cpuid -r file) as <cpudata>", cmd_dump },
    { "models", "list the CPU models of the map", cmd_models },
    { "features", "list the CPU features of the map", cmd_features },
    { "compare", "compare a guest CPU with a host CPU", cmd_compare },
    { "encode", "encode a CPU definition as raw CPUID data or hypervisor masks", cmd_encode },
    { "update", "update a guest CPU against a host CPU", cmd_update },
    { "guest", "the CPU a hypervisor gives a guest on a host", cmd_guest },
    { "baseline", "compute one guest CPU every host CPU can run", cmd_baseline },
    { "plan", "plan a fleet: shared CPU, psABI levels, hosts holding it back", cmd_plan },
};

static void
print_help(FILE *out)
{
    fprintf(out, "Usage: cpusel COMMAND [OPTION...] [ARG...]\n\n"
                 "Selects CPU models for virtual machines.\n\nCommands:\n");
    for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nEvery command takes --cpu-map DIR (a libvirt cpu_map directory "
                 "instead of the built-in map)\nand --json. Run 'cpusel COMMAND --help' "
                 "for its options.\n");
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
    if (strcmp(argv[1], "--version") == 0) {
        printf("cpusel 0.1.0\n");
        return CPUSEL_EXIT_OK;
    }
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
