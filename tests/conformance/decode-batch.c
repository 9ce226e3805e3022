/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* decode-batch: many decodes in one process, printing records in the format
 * of the oracle's `lvcpu batch`, so that tools/diff-oracle-decode.py can
 * compare thousands of cases quickly.
 *
 *   decode-batch [--cpu-map DIR] [COMMANDS-FILE|-]
 *
 * Each line is `decode<TAB>FILE<TAB>host|guest[<TAB>MODELS]` (MODELS as
 * `cpusel decode --models`: m1,m2:blocker:...); empty lines and lines
 * starting with '#' are skipped. For line N it prints `### N ok` and the
 * <cpu> XML, or `### N err` and the error message. The map is loaded once. */
#include <stdio.h>
#include <string.h>

#include <libcpusel/libcpusel.h>

static void
run_line(const CsCpuMap *map, const char *line, guint n)
{
    g_auto(GStrv) fields = g_strsplit(line, "\t", -1);
    g_auto(GStrv) allowed = NULL;
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    g_autoptr(CsDecodeOptions) opts = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    guint n_fields = g_strv_length(fields);
    CsDecodeFlags flags = CS_DECODE_HOST;

    if (n_fields < 3 || n_fields > 4 || strcmp(fields[0], "decode") != 0 ||
        (strcmp(fields[2], "host") != 0 && strcmp(fields[2], "guest") != 0)) {
        printf("### %u err\nunsupported command line\n", n);
        return;
    }
    if (strcmp(fields[2], "guest") == 0)
        flags = CS_DECODE_GUEST;
    if (n_fields == 4 && fields[3][0])
        allowed = g_strsplit(fields[3], ",", -1);
    opts = cs_decode_options_new(flags);
    cs_decode_options_set_allowed(opts, (const char *const *) allowed);
    cs_decode_options_set_fallback(opts, CS_CPU_FALLBACK_ALLOW);
    if (!(data = cs_cpuid_data_load_file(fields[1], &error)) ||
        !(def = cs_cpu_decode_with(map, data, opts, &error))) {
        printf("### %u err\n%s\n", n, error->message);
        return;
    }
    xml = cs_cpu_def_format_xml_full(def, 0, cs_cpu_map_get_format_flags(map));
    printf("### %u ok\n%s", n, xml);
}

int
main(int argc, char **argv)
{
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(GError) error = NULL;
    const char *input = "-";
    FILE *in = stdin;
    char *line = NULL;
    size_t cap = 0;
    guint n = 0, cases = 0;
    int a = 1;

    if (a + 1 < argc && strcmp(argv[a], "--cpu-map") == 0) {
        if (!(map = cs_cpu_map_load_dir(argv[a + 1], &error))) {
            fprintf(stderr, "decode-batch: %s\n", error->message);
            return 1;
        }
        a += 2;
    } else {
        map = cs_cpu_map_new_builtin();
    }
    if (a < argc)
        input = argv[a++];
    if (a != argc) {
        fprintf(stderr, "usage: decode-batch [--cpu-map DIR] [COMMANDS-FILE|-]\n");
        return 2;
    }
    if (strcmp(input, "-") != 0 && !(in = fopen(input, "r"))) {
        fprintf(stderr, "decode-batch: cannot open %s\n", input);
        return 2;
    }
    while (getline(&line, &cap, in) >= 0) {
        gsize len = strlen(line);

        n++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        run_line(map, line, n);
        cases++;
        fflush(stdout);
    }
    free(line);
    if (in != stdin)
        fclose(in);
    fprintf(stderr, "%u cases\n", cases);
    return 0;
}
