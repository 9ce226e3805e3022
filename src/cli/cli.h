/* SPDX-License-Identifier: LGPL-2.1-or-later */
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
/* The installed libvirt's CPU map, which '--cpu-map system' names. */
#define CLI_SYSTEM_CPU_MAP "/usr/share/libvirt/cpu_map"
/* Returns: (transfer none) the directory '--cpu-map system' names:
 * $CPUSEL_SYSTEM_CPU_MAP when set, else CLI_SYSTEM_CPU_MAP. */
const char *cli_system_map_dir(void);
/* Returns: (transfer full) the map --cpu-map names (a directory, or
 * 'system' for the installed libvirt's, an error when there is none), or
 * the built-in one. An empty --cpu-map is a usage error (G_OPTION_ERROR:
 * cli_fail() exits 2). */
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

/* Checks a model list a user gave with @option: the first name (model or
 * blocker) the map does not have is named in a warning on stderr, with the
 * nearest known names; decoding then ignores it. Returns: TRUE. */
gboolean cli_check_models(const CsCpuMap *map, const char *cmd, const char *option,
                          char *const *entries);
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

/* One document per command (doc/json.md): a JSON object whose "command"
 * member names the command. cli_json_begin() starts it; cli_json_finish()
 * ends, prints and frees it, returning the exit code of the write. */
JsonBuilder *cli_json_begin(const char *command);
int cli_json_finish(JsonBuilder *b);
/* Raw data as {"arch", "cpuid": [{eax_in, ecx_in, eax, ebx, ecx, edx}],
 * "msr": [{index, eax, edx}]}, numbers as numbers. */
JsonNode *cli_json_cpudata(const CsCpuidData *data);
/* A compare verdict's members (result, reason, subject, features, message)
 * into the object being built. */
void cli_json_verdict(JsonBuilder *b, const CsCompareReport *report);
/* Appends @text as one XML comment ("<!-- cpusel: ... -->"), for
 * explanations after a document's root element. */
void cli_append_comment(GString *out, const char *text);

/* JSON helpers */
JsonNode *cli_json_cpu_def(const CsCpuDef *def);
JsonNode *cli_json_strv(const char *const *v);
/* Decode report as text lines (explanations) and JSON. */
char *cli_report_text(const CsDecodeReport *report, guint max_newer);
JsonNode *cli_report_json(const CsDecodeReport *report, guint max_newer);

/* ---- Text tables and long lists (table.c) ----------------------------------
 * Every list inside a text report shows at most CLI_LIST_MAX entries, then
 * "... and N more; --json lists all". Listing commands (models, features)
 * print their whole table. */
#define CLI_LIST_MAX 200
#define CLI_TEXT_WIDTH 78

typedef struct _CliTable CliTable;

/* A table of @n_cols columns, each as wide as its widest cell (the last one
 * is not padded); rows beyond @max_rows (0: no limit) are only counted. */
CliTable *cli_table_new(guint n_cols, guint max_rows);
void cli_table_free(CliTable *t);
/* Adds a row of @n_cols strings (copied; NULL shows as "-"). */
void cli_table_add_row(CliTable *t, ...);
guint64 cli_table_get_n_rows(const CliTable *t);
/* Appends the rows, each line after @indent, then the count of rows left out. */
void cli_table_append(const CliTable *t, GString *out, const char *indent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CliTable, cli_table_free)
/* Returns: (transfer full) @n with thousands separators ("22,580"). */
char *cli_count(guint64 n);
/* Appends "@indent... and N more; --json lists all". */
void cli_append_more(GString *out, const char *indent, guint64 n_more);
/* Returns: (transfer full) @words joined by spaces on one line, capped like
 * cli_append_list(). */
char *cli_join_list(const char *const *words, guint64 total);
/* Appends @words (NULL-terminated, at most CLI_LIST_MAX of them are shown)
 * wrapped after @indent; @total is the length of the whole list, of which
 * @words may hold only the first entries. */
void cli_append_list(GString *out, const char *indent, const char *const *words,
                     guint64 total);

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
/* Prints a compare report (a verdict of @command); returns the exit code
 * for its result. */
int cli_print_compare(const CsCompareReport *report, gboolean json, const char *command);
int cmd_baseline(int argc, char **argv);
int cmd_domcaps(int argc, char **argv);
int cmd_labels(int argc, char **argv);

/* The raw data of the host a command is about: KVM's view of this machine
 * (@kvm), a dump file (@dump) or this machine's CPUID (@host), in that
 * order. Returns: (transfer full) the data, or NULL with @error set. */
CsCpuidData *cli_host_data(gboolean kvm, const char *dump, gboolean host,
                           GError **error);
/* The hypervisor's model list of --qmp FILE or --models M,... (*@out_list
 * stays NULL when neither is given). FALSE with @error on a bad reply. */
gboolean cli_model_list(const char *models, const char *qmp, CsCpuModelList **out_list,
                        GError **error);
/* The same as cs_decode_options_set_allowed()'s entries in *@out_allowed
 * (NULL when neither option is given). FALSE with @error on a bad reply. */
gboolean cli_allowed_models(const CsCpuMap *map, const char *models, const char *qmp,
                            char ***out_allowed, GError **error);
/* KVM's host-model CPU on this machine (domain capabilities), restricted to
 * @list when given. Returns: (transfer full) or NULL with @error set. */
CsCpuDef *cli_kvm_host_model(const CsCpuMap *map, const CsCpuModelList *list,
                             GError **error);
int cmd_plan(int argc, char **argv);
/* Prints @plan (cmd-plan.c): JSON, the text report, or, @in_baseline, the
 * baseline's <cpu> with the report as a comment (baseline --explain).
 * Returns: the exit code of the write. */
int cli_print_plan(const CsCpuMap *map, const CsFleetPlan *plan, gboolean json,
                   gboolean in_baseline);
