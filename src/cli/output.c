/* cpusel: option parsing, map loading, errors and JSON shared by the commands */
#include <stdio.h>
#include <string.h>
#include "cli.h"

void
cli_add_common(GOptionContext *ctx, CliCommon *common)
{
    GOptionEntry entries[] = {
        { "cpu-map", 0, 0, G_OPTION_ARG_FILENAME, &common->cpu_map,
          "Use a libvirt cpu_map directory instead of the built-in map", "DIR" },
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

CsCpuMap *
cli_load_map(const CliCommon *common, GError **error)
{
    if (common->cpu_map && !*common->cpu_map) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--cpu-map needs a directory name");
        return NULL;
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
        g_autofree char *j = g_strjoinv(" ", (char **) miss);

        g_string_append_printf(s, "  %-28s %s\n", cs_decode_report_get_model(r, i),
                               cs_decode_report_get_reason(r, i));
        if (*miss)
            g_string_append_printf(s, "  %-28s lacks: %s\n", "", j);
    }
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
