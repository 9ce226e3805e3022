/* cpusel: shared command-line helpers (public API only) */
#pragma once

#include <libcpusel/libcpusel.h>
#include <json-glib/json-glib.h>

enum {
    CPUSEL_EXIT_OK = 0,
    CPUSEL_EXIT_FAIL = 1,
    CPUSEL_EXIT_USAGE = 2,
    CPUSEL_EXIT_INCOMPATIBLE = 3,
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} CliCommand;

/* Options every command takes. */
typedef struct {
    char *cpu_map;
    gboolean json;
} CliCommon;

/* Adds --cpu-map and --json to @group entries. */
void cli_add_common(GOptionContext *ctx, CliCommon *common);
/* Adds @entries and the common options to @ctx, parses, and checks that
 * @n_args arguments follow the command (@expected says what, for the usage
 * error). Returns: -1 to go on, or the exit code to return (after printing
 * the problem and clearing @common). */
int cli_setup(GOptionContext *ctx, const GOptionEntry *entries, CliCommon *common,
              int *argc, char ***argv, const char *cmd, int n_args,
              const char *expected);
/* Parses options; on a usage error prints it and returns FALSE. */
gboolean cli_parse(GOptionContext *ctx, int *argc, char ***argv);
/* Returns: (transfer full) the map --cpu-map names, or the built-in one.
 * An empty --cpu-map is a usage error (G_OPTION_ERROR: cli_fail() exits 2). */
CsCpuMap *cli_load_map(const CliCommon *common, GError **error);
/* Reads an input file named on the command line: "-" is standard input,
 * pipes are read, anything else must be a regular file; all within the
 * input size limit (CPUSEL_MAX_INPUT). @out_source: how messages name it.
 * Returns: (transfer full) the contents, or NULL with @error set. */
char *cli_read_input(const char *path, gsize *out_len, const char **out_source,
                     GError **error);
/* Returns: (transfer full) the raw data (<cpudata> XML or `cpuid -r` text)
 * of the input @path (as cli_read_input()), or NULL with @error set. */
CsCpuidData *cli_load_cpuid_data(const char *path, GError **error);
void cli_common_clear(CliCommon *common);

/* Takes ownership of @error; prints "cpusel: message" on one line; returns
 * CPUSEL_EXIT_FAIL (CPUSEL_EXIT_USAGE for a G_OPTION_ERROR). */
int cli_fail(GError *error);
/* As cli_fail(), returning @code. */
int cli_fail_with(GError *error, int code);
/* Prints "PREFIX: MSG" on one line on stderr (line breaks and control
 * characters in @msg do not get through). */
void cli_error(const char *prefix, const char *msg);
/* Returns: (transfer full) a value from the command line for a message:
 * control characters escaped, cut after 64 characters ("..."). */
char *cli_shown(const char *value);
/* Prints a usage error, on one line; returns CPUSEL_EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Writes @text to stdout at once. */
int cli_print(const char *text);
/* Pretty JSON text of @node (consumed), newline-terminated. */
char *cli_json_to_string(JsonNode *node);

/* JSON helpers */
JsonNode *cli_json_cpu_def(const CsCpuDef *def);
JsonNode *cli_json_strv(const char *const *v);
/* Decode report as text lines (explanations) and JSON. */
char *cli_report_text(const CsDecodeReport *report, guint max_newer);
JsonNode *cli_report_json(const CsDecodeReport *report, guint max_newer);

int cmd_decode(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_features(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_guest(int argc, char **argv);
/* Loads a <cpu> (or decodes a <cpudata> dump as the host CPU). */
CsCpuDef *cli_load_cpu(const CsCpuMap *map, const char *path, GError **error);
/* Prints a compare report; returns the exit code for its result. */
int cli_print_compare(const CsCompareReport *report, gboolean json);
int cmd_baseline(int argc, char **argv);
int cmd_plan(int argc, char **argv);
