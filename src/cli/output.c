/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel: option parsing, map loading, errors and JSON shared by the commands */
#include <stdio.h>
#include <string.h>
#include "cli.h"

void
cli_add_common(GOptionContext *ctx, CliCommon *common)
{
    GOptionEntry entries[] = {
        { "cpu-map", 0, 0, G_OPTION_ARG_FILENAME, &common->cpu_map,
          "Use a libvirt cpu_map directory instead of the built-in map "
          "('system': the installed libvirt's)", "DIR" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &common->json, "Print JSON", NULL },
        G_OPTION_ENTRY_NULL
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
}

gboolean
cli_parse(GOptionContext *ctx, int *argc, char ***argv)
{
    g_autoptr(GError) error = NULL;

    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        cli_error("cpusel", error->message);
        return FALSE;
    }
    return TRUE;
}

int
cli_setup(GOptionContext *ctx, const GOptionEntry *entries, CliCommon *common,
          int *argc, char ***argv, const char *cmd, int n_args, const char *expected)
{
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, common);
    if (!cli_parse(ctx, argc, argv)) {
        cli_common_clear(common);
        return CPUSEL_EXIT_USAGE;
    }
    if (*argc - 1 != n_args) {
        cli_common_clear(common);
        return cli_usage(cmd, "%s", expected);
    }
    return -1;
}

void
cli_common_clear(CliCommon *common)
{
    g_free(common->cpu_map);
    common->cpu_map = NULL;
}

const char *
cli_system_map_dir(void)
{
    const char *env = g_getenv("CPUSEL_SYSTEM_CPU_MAP");

    return env && *env ? env : CLI_SYSTEM_CPU_MAP;
}

CsCpuMap *
cli_load_map(const CliCommon *common, GError **error)
{
    if (common->cpu_map && !*common->cpu_map) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--cpu-map needs a directory name");
        return NULL;
    }
    if (common->cpu_map && strcmp(common->cpu_map, "system") == 0) {
        const char *dir = cli_system_map_dir();
        g_autofree char *index = g_build_filename(dir, "index.xml", NULL);

        if (!g_file_test(index, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, CS_ERROR, CS_ERROR_IO,
                        "--cpu-map system: no installed libvirt CPU map ('%s' does "
                        "not exist); install libvirt's (Debian: libvirt0) or give "
                        "--cpu-map DIR", index);
            return NULL;
        }
        return cs_cpu_map_load_dir(dir, error);
    }
    if (common->cpu_map)
        return cs_cpu_map_load_dir(common->cpu_map, error);
    return cs_cpu_map_new_builtin();
}

char *
cli_read_input(const char *path, gsize *out_len, const char **out_source, GError **error)
{
    *out_source = strcmp(path, "-") == 0 ? "(standard input)" : path;
    return cs_input_read_file(path, 0, CS_INPUT_ALLOW_PIPE | CS_INPUT_DASH_IS_STDIN,
                              out_len, error);
}

CsCpuidData *
cli_load_cpuid_data(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    const char *source = NULL;

    if (!(buf = cli_read_input(path, &len, &source, error)))
        return NULL;
    return cs_cpuid_data_parse(buf, len, source, error);
}

/* Most bytes of a message printed; the library keeps its own far shorter. */
#define MESSAGE_MAX 4096

int
cli_fail(GError *error)
{
    return cli_fail_with(error, error->domain == G_OPTION_ERROR ? CPUSEL_EXIT_USAGE :
                                                                 CPUSEL_EXIT_FAIL);
}

/* Returns: (transfer full) @msg on one line: line breaks become spaces,
 * other control characters '?', at most MESSAGE_MAX bytes. */
static char *
one_line(const char *msg)
{
    GString *line = g_string_sized_new(128);

    for (const char *p = msg; *p && line->len < MESSAGE_MAX; p++) {
        guchar c = (guchar) *p;

        if (c == '\n' || c == '\r') {
            if (line->len && line->str[line->len - 1] != ' ')
                g_string_append_c(line, ' ');
        } else {
            g_string_append_c(line, c < 0x20 || c == 0x7f ? '?' : (char) c);
        }
    }
    if (line->len >= MESSAGE_MAX) {
        /* do not end inside a UTF-8 sequence */
        while (line->len && ((guchar) line->str[line->len - 1] & 0xc0) == 0x80)
            g_string_truncate(line, line->len - 1);
        if (line->len && (guchar) line->str[line->len - 1] >= 0xc0)
            g_string_truncate(line, line->len - 1);
        g_string_append(line, "...");
    }
    while (line->len && line->str[line->len - 1] == ' ')
        g_string_truncate(line, line->len - 1);
    return g_string_free(line, FALSE);
}

void
cli_error(const char *prefix, const char *msg)
{
    g_autofree char *line = one_line(msg);

    fprintf(stderr, "%s: %s\n", prefix, line);
}

char *
cli_shown(const char *value)
{
    GString *s = g_string_new(NULL);
    guint n = 0;

    for (const char *p = value; *p; p = g_utf8_next_char(p), n++) {
        if (n == 64) {
            g_string_append(s, "...");
            break;
        }
        if (*p == '\n')
            g_string_append(s, "\\n");
        else if (*p == '\t')
            g_string_append(s, "\\t");
        else if (*p == '\r')
            g_string_append(s, "\\r");
        else if (*p == '\\')
            g_string_append(s, "\\\\");
        else if ((guchar) *p < 0x20 || *p == 0x7f)
            g_string_append_printf(s, "\\x%02x", (guchar) *p);
        else
            g_string_append_len(s, p, g_utf8_next_char(p) - p);
        if (!g_utf8_validate(p, g_utf8_next_char(p) - p, NULL))
            break;
    }
    return g_string_free(s, FALSE);
}

int
cli_fail_with(GError *error, int rc)
{
    cli_error("cpusel", error->message);
    g_error_free(error);
    return rc;
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    g_autofree char *prefix = g_strdup_printf("cpusel %s", cmd);
    g_autofree char *full = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    full = g_strdup_printf("%s; see 'cpusel %s --help'", msg, cmd);
    cli_error(prefix, full);
    return CPUSEL_EXIT_USAGE;
}

int
cli_print(const char *text)
{
    gsize len = strlen(text);

    if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
        perror("cpusel: cannot write output");
        return CPUSEL_EXIT_FAIL;
    }
    return CPUSEL_EXIT_OK;
}

char *
cli_json_to_string(JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    char *text;
    char *ret;

    json_generator_set_pretty(gen, TRUE);
    json_generator_set_indent(gen, 2);
    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    json_node_unref(node);
    ret = g_strconcat(text, "\n", NULL);
    g_free(text);
    return ret;
}

JsonNode *
cli_json_strv(const char *const *v)
{
    JsonArray *a = json_array_new();
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    for (guint i = 0; v && v[i]; i++)
        json_array_add_string_element(a, v[i]);
    json_node_take_array(n, a);
    return n;
}

JsonNode *
cli_json_cpu_def(const CsCpuDef *def)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    guint fam, mod, step;
    guint sockets = 0, dies = 0, cores = 0, threads = 0;
    guint64 microcode = 0;
    CsCpuType type = cs_cpu_def_get_type(def);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, cs_cpu_type_to_string(type));
    if (type == CS_CPU_TYPE_GUEST) {
        json_builder_set_member_name(b, "mode");
        json_builder_add_string_value(b, cs_cpu_mode_to_string(cs_cpu_def_get_mode(def)));
        json_builder_set_member_name(b, "match");
        json_builder_add_string_value(b, cs_cpu_match_to_string(cs_cpu_def_get_match(def)));
        json_builder_set_member_name(b, "fallback");
        json_builder_add_string_value(b,
            cs_cpu_fallback_to_string(cs_cpu_def_get_fallback(def)));
    }
    if (cs_cpu_def_get_arch(def)) {
        json_builder_set_member_name(b, "arch");
        json_builder_add_string_value(b, cs_cpu_def_get_arch(def));
    }
    json_builder_set_member_name(b, "model");
    if (cs_cpu_def_get_model(def))
        json_builder_add_string_value(b, cs_cpu_def_get_model(def));
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "vendor");
    if (cs_cpu_def_get_vendor(def))
        json_builder_add_string_value(b, cs_cpu_def_get_vendor(def));
    else
        json_builder_add_null_value(b);
    if (type == CS_CPU_TYPE_GUEST && cs_cpu_def_get_check(def) != CS_CPU_CHECK_DEFAULT) {
        json_builder_set_member_name(b, "check");
        json_builder_add_string_value(b, cs_cpu_check_to_string(cs_cpu_def_get_check(def)));
    }
    if (cs_cpu_def_get_vendor_id(def)) {
        json_builder_set_member_name(b, "vendor_id");
        json_builder_add_string_value(b, cs_cpu_def_get_vendor_id(def));
    }
    if (cs_cpu_def_get_microcode(def, &microcode)) {
        json_builder_set_member_name(b, "microcode");
        json_builder_add_int_value(b, (gint64) microcode);
    }
    if (cs_cpu_def_get_topology(def, &sockets, &dies, &cores, &threads)) {
        json_builder_set_member_name(b, "topology");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "sockets");
        json_builder_add_int_value(b, sockets);
        json_builder_set_member_name(b, "dies");
        json_builder_add_int_value(b, dies);
        json_builder_set_member_name(b, "cores");
        json_builder_add_int_value(b, cores);
        json_builder_set_member_name(b, "threads");
        json_builder_add_int_value(b, threads);
        json_builder_end_object(b);
    }
    if (cs_cpu_def_get_signature(def, &fam, &mod, &step)) {
        json_builder_set_member_name(b, "signature");
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "family");
        json_builder_add_int_value(b, fam);
        json_builder_set_member_name(b, "model");
        json_builder_add_int_value(b, mod);
        json_builder_set_member_name(b, "stepping");
        json_builder_add_int_value(b, step);
        json_builder_end_object(b);
    }
    json_builder_set_member_name(b, "features");
    json_builder_begin_array(b);
    for (guint i = 0; i < cs_cpu_def_get_n_features(def); i++) {
        CsFeaturePolicy pol;
        const char *name = cs_cpu_def_get_feature(def, i, &pol);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "name");
        json_builder_add_string_value(b, name);
        if (pol != CS_FEATURE_POLICY_NONE) {
            json_builder_set_member_name(b, "policy");
            json_builder_add_string_value(b, cs_feature_policy_to_string(pol));
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static gboolean
newer_of_interest(const CsDecodeReport *r, guint i)
{
    CsCandidateStatus st = cs_decode_report_get_status(r, i);

    if (!cs_decode_report_get_vendor(r, i))
        return FALSE;   /* generic models (qemu64, kvm64, ...) explain nothing */
    return st == CS_CANDIDATE_WORSE || st == CS_CANDIDATE_MISSING ||
           st == CS_CANDIDATE_NOT_FOR_TYPE;
}

static gboolean
same_missing(const CsDecodeReport *r, guint a, guint b)
{
    const char *const *x = cs_decode_report_get_missing(r, a);
    const char *const *y = cs_decode_report_get_missing(r, b);

    for (; *x && *y; x++, y++) {
        if (strcmp(*x, *y) != 0)
            return FALSE;
    }
    return !*x && !*y;
}

static int
missing_count(const CsDecodeReport *r, guint i)
{
    return g_strv_length((char **) cs_decode_report_get_missing(r, i));
}

/* The newer models worth showing, newest first: the @max newest and the
 * @max closest (fewest missing features), each listed once; a version
 * whose blockers equal a newer one's is left out. */
static GArray *
select_newer(const CsDecodeReport *r, guint max)
{
    guint chosen = cs_decode_report_get_chosen(r);
    g_autoptr(GArray) pool = g_array_new(FALSE, FALSE, sizeof(guint));
    g_autofree gboolean *pick = g_new0(gboolean, chosen + 1);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(guint));
    guint taken = 0;

    for (guint i = 0; i < chosen; i++) {
        gboolean dup = FALSE;

        if (!newer_of_interest(r, i))
            continue;
        for (guint k = 0; k < pool->len && !dup; k++)
            dup = same_missing(r, g_array_index(pool, guint, k), i);
        if (!dup)
            g_array_append_val(pool, i);
    }
    for (guint k = 0; k < pool->len && taken < max; k++, taken++)
        pick[g_array_index(pool, guint, k)] = TRUE;
    for (taken = 0; taken < max; taken++) {
        int best = -1;

        for (guint k = 0; k < pool->len; k++) {
            guint i = g_array_index(pool, guint, k);

            if (pick[i])
                continue;
            if (best < 0 || missing_count(r, i) < missing_count(r, best))
                best = i;
        }
        if (best < 0)
            break;
        pick[best] = TRUE;
    }
    for (guint i = 0; i < chosen; i++) {
        if (pick[i])
            g_array_append_val(out, i);
    }
    return out;
}

char *
cli_report_text(const CsDecodeReport *r, guint max_newer)
{
    GString *s = g_string_new(NULL);
    guint chosen = cs_decode_report_get_chosen(r);
    g_autoptr(GArray) newer = select_newer(r, max_newer);
    g_autoptr(CliTable) t = cli_table_new(2, 0);

    g_string_append_printf(s, "Chosen model: %s (%s%s)\n",
                           cs_decode_report_get_model(r, chosen),
                           cs_decode_report_get_reason(r, chosen),
                           cs_decode_report_get_signature_match(r, chosen) ?
                           "; signature matches" : "");
    g_string_append_printf(s, "  %u features beyond the model",
                           cs_decode_report_get_n_extra(r, chosen));
    {
        const char *const *miss = cs_decode_report_get_missing(r, chosen);
        guint n = g_strv_length((char **) miss);

        if (n) {
            g_autofree char *j = g_strjoinv(", ", (char **) miss);

            g_string_append_printf(s, ", %u model features disabled: %s", n, j);
        }
    }
    g_string_append(s, "\n");
    if (newer->len)
        g_string_append(s, "Newer models not chosen (newest, and closest to this CPU):\n");
    for (guint k = 0; k < newer->len; k++) {
        guint i = g_array_index(newer, guint, k);
        const char *const *miss = cs_decode_report_get_missing(r, i);
        g_autofree char *j = cli_join_list(miss, g_strv_length((char **) miss));
        g_autofree char *lacks = g_strconcat("lacks: ", j, NULL);

        cli_table_add_row(t, cs_decode_report_get_model(r, i),
                          cs_decode_report_get_reason(r, i));
        if (*miss)
            cli_table_add_row(t, "", lacks);
    }
    cli_table_append(t, s, "  ");
    return g_string_free(s, FALSE);
}

JsonNode *
cli_report_json(const CsDecodeReport *r, guint max_newer)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    guint chosen = cs_decode_report_get_chosen(r);
    g_autoptr(GArray) newer = select_newer(r, max_newer);

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "chosen");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "model");
    json_builder_add_string_value(b, cs_decode_report_get_model(r, chosen));
    json_builder_set_member_name(b, "reason");
    json_builder_add_string_value(b, cs_decode_report_get_reason(r, chosen));
    json_builder_set_member_name(b, "signature_match");
    json_builder_add_boolean_value(b, cs_decode_report_get_signature_match(r, chosen));
    json_builder_set_member_name(b, "extra_features");
    json_builder_add_int_value(b, cs_decode_report_get_n_extra(r, chosen));
    json_builder_set_member_name(b, "disabled");
    json_builder_add_value(b, cli_json_strv(cs_decode_report_get_missing(r, chosen)));
    json_builder_end_object(b);
    json_builder_set_member_name(b, "newer");
    json_builder_begin_array(b);
    for (guint k = 0; k < newer->len; k++) {
        guint i = g_array_index(newer, guint, k);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "model");
        json_builder_add_string_value(b, cs_decode_report_get_model(r, i));
        json_builder_set_member_name(b, "status");
        json_builder_add_string_value(b,
            cs_candidate_status_to_string(cs_decode_report_get_status(r, i)));
        json_builder_set_member_name(b, "reason");
        json_builder_add_string_value(b, cs_decode_report_get_reason(r, i));
        json_builder_set_member_name(b, "signature_match");
        json_builder_add_boolean_value(b, cs_decode_report_get_signature_match(r, i));
        json_builder_set_member_name(b, "blockers");
        json_builder_add_value(b, cli_json_strv(cs_decode_report_get_missing(r, i)));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

/* ---- One document per command ------------------------------------------
 * Every JSON document is an object whose "command" member names the command
 * that printed it (see doc/json.md); XML documents carry explanations as
 * one comment after the root element. */

JsonBuilder *
cli_json_begin(const char *command)
{
    JsonBuilder *b = json_builder_new();

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command");
    json_builder_add_string_value(b, command);
    return b;
}

int
cli_json_finish(JsonBuilder *b)
{
    g_autofree char *text = NULL;

    json_builder_end_object(b);
    text = cli_json_to_string(json_builder_get_root(b));
    g_object_unref(b);
    return cli_print(text);
}

JsonNode *
cli_json_cpudata(const CsCpuidData *data)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
    const CsCpuidLeaf *leaves;
    const CsMsr *msrs;
    gsize n = 0;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "arch");
    json_builder_add_string_value(b, "x86");
    json_builder_set_member_name(b, "cpuid");
    json_builder_begin_array(b);
    leaves = cs_cpuid_data_get_leaves(data, &n);
    for (gsize i = 0; i < n; i++) {
        const guint32 v[] = { leaves[i].eax, leaves[i].ebx, leaves[i].ecx, leaves[i].edx };

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "eax_in");
        json_builder_add_int_value(b, leaves[i].eax_in);
        json_builder_set_member_name(b, "ecx_in");
        json_builder_add_int_value(b, leaves[i].ecx_in);
        for (guint r = 0; r < 4; r++) {
            json_builder_set_member_name(b, regs[r]);
            json_builder_add_int_value(b, v[r]);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "msr");
    json_builder_begin_array(b);
    msrs = cs_cpuid_data_get_msrs(data, &n);
    for (gsize i = 0; i < n; i++) {
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "index");
        json_builder_add_int_value(b, msrs[i].index);
        json_builder_set_member_name(b, "eax");
        json_builder_add_int_value(b, msrs[i].eax);
        json_builder_set_member_name(b, "edx");
        json_builder_add_int_value(b, msrs[i].edx);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

void
cli_json_verdict(JsonBuilder *b, const CsCompareReport *report)
{
    CsCompareReason reason = cs_compare_report_get_reason(report);

    json_builder_set_member_name(b, "result");
    json_builder_add_string_value(b,
        cs_compare_result_to_string(cs_compare_report_get_result(report)));
    json_builder_set_member_name(b, "reason");
    if (reason == CS_REASON_NONE)
        json_builder_add_null_value(b);
    else
        json_builder_add_string_value(b, cs_compare_reason_to_string(reason));
    json_builder_set_member_name(b, "subject");
    if (cs_compare_report_get_subject(report))
        json_builder_add_string_value(b, cs_compare_report_get_subject(report));
    else
        json_builder_add_null_value(b);
    json_builder_set_member_name(b, "features");
    json_builder_add_value(b, cli_json_strv(cs_compare_report_get_features(report)));
    json_builder_set_member_name(b, "message");
    json_builder_add_string_value(b, cs_compare_report_get_message(report));
}

void
cli_append_comment(GString *out, const char *text)
{
    if (!text || !*text)
        return;
    g_string_append(out, "<!-- cpusel:\n");
    for (const char *p = text; *p; p++) {
        /* "--" may not occur inside a comment */
        if (*p == '-' && (p[1] == '-' || p[1] == '\0'))
            g_string_append(out, "- ");
        else
            g_string_append_c(out, *p);
    }
    if (text[strlen(text) - 1] != '\n')
        g_string_append_c(out, '\n');
    g_string_append(out, "-->\n");
}

gboolean
cli_check_models(const CsCpuMap *map, const char *cmd, const char *option,
                 char *const *entries)
{
    g_autoptr(GError) error = NULL;

    /* decoding ignores names the map does not have, as libvirt does with a
     * hypervisor's list (and --qmp with QEMU's): say so, once, and go on */
    if (!cs_cpu_map_check_model_list(map, (const char *const *) entries, &error))
        fprintf(stderr, "cpusel %s: warning: %s in %s (ignored)\n", cmd, error->message,
                option);
    return TRUE;
}
