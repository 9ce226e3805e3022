/* cpusel baseline / cpusel plan: one guest CPU every host can run, and the
 * fleet planner. Inputs stream through (any number of hosts). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* Hosts listed one per line in the text plan; --json always lists all. */
#define TEXT_MAX_HOSTS 200

typedef struct {
    gboolean enabled;       /* stderr is a terminal */
    gint64 start;
    gint64 last;
    gboolean shown;
    const char *file;
} Progress;

static void
progress_update(guint64 n, const CsCpuStream *s, gpointer user_data)
{
    Progress *p = user_data;
    gint64 now;
    guint64 done = 0, total = 0;

    if (!p->enabled)
        return;
    now = g_get_monotonic_time();
    if (now - p->start < G_USEC_PER_SEC || now - p->last < G_USEC_PER_SEC / 10)
        return;
    p->last = now;
    p->shown = TRUE;
    cs_cpu_stream_get_progress(s, &done, &total);
    if (total)
        fprintf(stderr, "\rcpusel: %" G_GUINT64_FORMAT " host CPUs read (%s: %u%%)   ",
                n, p->file, (guint) (done * 100 / total));
    else
        fprintf(stderr, "\rcpusel: %" G_GUINT64_FORMAT " host CPUs read   ", n);
}

static void
progress_end(Progress *p, guint64 n)
{
    if (p->shown)
        fprintf(stderr, "\rcpusel: %" G_GUINT64_FORMAT " host CPUs read%20s\n", n, "");
}

/* Streams every CPU of @files into @b. In exact mode a bad input stops at
 * once (FALSE with @error); when planning it only marks the host. */
static gboolean
read_hosts(const CsCpuMap *map, CsBaselineBuilder *b, char **files, gboolean plan,
           GError **error)
{
    Progress prog = { .enabled = isatty(2), .start = g_get_monotonic_time() };
    gboolean ok = TRUE;

    for (guint i = 0; ok && files[i]; i++) {
        g_autoptr(CsCpuStream) s = NULL;
        GError *local = NULL;

        prog.file = files[i];
        /* "-": standard input (a pipe or a file) */
        if (!(s = cs_cpu_stream_open_file(map, strcmp(files[i], "-") == 0 ? "/dev/stdin" :
                                          files[i], &local))) {
            if (plan)
                cs_baseline_builder_add_error(b, files[i], local);
            else
                g_propagate_error(error, local);
            ok = plan;
            continue;
        }
        ok = cs_baseline_builder_add_stream(b, s, files[i], progress_update, &prog, error);
    }
    progress_end(&prog, cs_baseline_builder_get_n_hosts(b));
    return ok;
}

static int
baseline_fail(GError *error)
{
    if (g_error_matches(error, CS_ERROR, CS_ERROR_INCOMPATIBLE))
        return cli_fail_with(error, CPUSEL_EXIT_INCOMPATIBLE);
    return cli_fail(error);
}

static void
json_member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

/* "      \"name\" : value" in json-glib's pretty layout (six spaces deep). */
static void
json_text_member(GString *out, const char *name, const char *value, gboolean last)
{
    g_string_append_printf(out, "      \"%s\" : ", name);
    if (!value) {
        g_string_append(out, "null");
    } else {
        g_string_append_c(out, '"');
        for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
            switch (*p) {
            case '"': g_string_append(out, "\\\""); break;
            case '\\': g_string_append(out, "\\\\"); break;
            case '\b': g_string_append(out, "\\b"); break;
            case '\f': g_string_append(out, "\\f"); break;
            case '\n': g_string_append(out, "\\n"); break;
            case '\r': g_string_append(out, "\\r"); break;
            case '\t': g_string_append(out, "\\t"); break;
            default:
                if (*p < 0x20)
                    g_string_append_printf(out, "\\u%04x", *p);
                else
                    g_string_append_c(out, *p);
                break;
            }
        }
        g_string_append_c(out, '"');
    }
    g_string_append(out, last ? "\n" : ",\n");
}

static char *
plan_json(const CsCpuMap *map, const CsFleetPlan *plan)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 joined = 0;
    g_autofree char *xml = cs_cpu_def_format_xml(base, 0);
    g_autofree char *text = NULL;
    GString *out;
    gboolean first;

    for (guint64 i = 0; i < n; i++)
        joined += cs_fleet_plan_host_status(plan, i) == CS_HOST_JOINED;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "hosts_total");
    json_builder_add_int_value(b, n);
    json_builder_set_member_name(b, "hosts_joined");
    json_builder_add_int_value(b, joined);
    json_member_string(b, "arch", cs_fleet_plan_get_arch(plan));
    json_member_string(b, "vendor", cs_fleet_plan_get_vendor(plan));
    json_builder_set_member_name(b, "baseline");
    json_builder_add_value(b, cli_json_cpu_def(base));
    json_member_string(b, "baseline_xml", xml);
    json_member_string(b, "psabi_level", cs_fleet_plan_get_level(plan));

    json_builder_set_member_name(b, "levels");
    json_builder_begin_object(b);
    for (int l = 4; l >= 0; l--) {
        static const char *const names[] = {
            "none", "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4",
        };

        json_builder_set_member_name(b, names[l]);
        json_builder_add_int_value(b, cs_fleet_plan_get_level_count(plan, l));
    }
    json_builder_end_object(b);

    json_builder_set_member_name(b, "holding_back");
    json_builder_begin_array(b);
    for (guint d = 0; d < cs_fleet_plan_get_n_draggers(plan); d++) {
        guint64 h = cs_fleet_plan_dragger_host(plan, d);
        const CsCpuDef *without = cs_fleet_plan_dragger_baseline(plan, d);

        json_builder_begin_object(b);
        json_member_string(b, "host", cs_fleet_plan_host_name(plan, h));
        json_member_string(b, "model", cs_fleet_plan_host_model(plan, h));
        json_member_string(b, "psabi_level", cs_fleet_plan_host_level(plan, h));
        json_builder_set_member_name(b, "lacks");
        json_builder_add_value(b, cli_json_strv(cs_fleet_plan_dragger_lacks(plan, d)));
        json_builder_set_member_name(b, "baseline_without");
        if (without) {
            json_builder_begin_object(b);
            json_member_string(b, "model", cs_cpu_def_get_model(without));
            json_member_string(b, "psabi_level", cs_fleet_plan_dragger_level(plan, d));
            json_builder_set_member_name(b, "cpu");
            json_builder_add_value(b, cli_json_cpu_def(without));
            json_builder_end_object(b);
        } else {
            json_builder_add_null_value(b);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_end_object(b);
    (void) map;
    text = cli_json_to_string(json_builder_get_root(b));

    /* The per-host arrays are written as text in the generator's layout:
     * for 100,000 hosts a JSON tree would cost several times the output. */
    out = g_string_new(text);
    g_string_truncate(out, out->len >= 3 ? out->len - 3 : out->len);   /* "\n}\n" */
    g_string_append(out, ",\n  \"cannot_join\" : [");
    first = TRUE;
    for (guint64 i = 0; i < n; i++) {
        CsHostStatus st = cs_fleet_plan_host_status(plan, i);

        if (st == CS_HOST_JOINED)
            continue;
        g_string_append(out, first ? "\n" : ",\n");
        first = FALSE;
        g_string_append(out, "    {\n");
        json_text_member(out, "host", cs_fleet_plan_host_name(plan, i), FALSE);
        json_text_member(out, "status", cs_host_status_to_string(st), FALSE);
        json_text_member(out, "reason", cs_fleet_plan_host_reason(plan, i), TRUE);
        g_string_append(out, "    }");
    }
    g_string_append(out, first ? "]" : "\n  ]");
    g_string_append(out, ",\n  \"hosts\" : [");
    for (guint64 i = 0; i < n; i++) {
        g_string_append(out, i ? ",\n" : "\n");
        g_string_append(out, "    {\n");
        json_text_member(out, "name", cs_fleet_plan_host_name(plan, i), FALSE);
        json_text_member(out, "model", cs_fleet_plan_host_model(plan, i), FALSE);
        json_text_member(out, "vendor", cs_fleet_plan_host_vendor(plan, i), FALSE);
        json_text_member(out, "psabi_level", cs_fleet_plan_host_level(plan, i), FALSE);
        json_text_member(out, "status",
                         cs_host_status_to_string(cs_fleet_plan_host_status(plan, i)),
                         TRUE);
        g_string_append(out, "    }");
    }
    g_string_append(out, n ? "\n  ]\n}\n" : "]\n}\n");
    return g_string_free(out, FALSE);
}

static void
append_wrapped(GString *s, const char *indent, const char *const *words)
{
    gsize col = 0;

    for (guint i = 0; words[i]; i++) {
        gsize len = strlen(words[i]);

        if (col == 0) {
            g_string_append(s, indent);
            col = strlen(indent);
        } else if (col + 1 + len > 78) {
            g_string_append_c(s, '\n');
            g_string_append(s, indent);
            col = strlen(indent);
        } else {
            g_string_append_c(s, ' ');
            col++;
        }
        g_string_append(s, words[i]);
        col += len;
    }
    if (col)
        g_string_append_c(s, '\n');
}

static char *
plan_text(const CsFleetPlan *plan)
{
    GString *s = g_string_new(NULL);
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 joined = 0;
    guint nd = cs_fleet_plan_get_n_draggers(plan);
    g_autofree char *xml = cs_cpu_def_format_xml(base, 2);
    static const char *const names[] = {
        "none", "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4",
    };

    for (guint64 i = 0; i < n; i++)
        joined += cs_fleet_plan_host_status(plan, i) == CS_HOST_JOINED;
    g_string_append_printf(s, "Hosts: %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                           " can join (%s, %s)", n, joined,
                           cs_fleet_plan_get_vendor(plan) ?
                           cs_fleet_plan_get_vendor(plan) : "no vendor",
                           cs_fleet_plan_get_arch(plan));
    if (joined < n)
        g_string_append_printf(s, ", %" G_GUINT64_FORMAT " cannot", n - joined);
    g_string_append_printf(s, "\nBaseline: %s, psABI level %s\n%s",
                           cs_cpu_def_get_model(base), cs_fleet_plan_get_level(plan), xml);

    g_string_append(s, "\npsABI levels of the hosts that join:\n");
    for (int l = 4; l >= 0; l--) {
        guint64 c = cs_fleet_plan_get_level_count(plan, l);

        if (c)
            g_string_append_printf(s, "  %-10s %" G_GUINT64_FORMAT "\n", names[l], c);
    }

    if (nd == 0) {
        g_string_append(s, "\nNo single host holds the baseline back.\n");
    } else {
        g_string_append(s, "\nHosts holding the baseline back (without one of them "
                           "the baseline gains what it lacks):\n");
    }
    for (guint d = 0; d < nd; d++) {
        guint64 h = cs_fleet_plan_dragger_host(plan, d);
        const CsCpuDef *without = cs_fleet_plan_dragger_baseline(plan, d);
        const char *const *lacks = cs_fleet_plan_dragger_lacks(plan, d);

        g_string_append_printf(s, "  %s (%s, %s)\n", cs_fleet_plan_host_name(plan, h),
                               cs_fleet_plan_host_model(plan, h),
                               cs_fleet_plan_host_level(plan, h));
        g_string_append_printf(s, "    lacks %u feature%s:\n", g_strv_length((char **) lacks),
                               g_strv_length((char **) lacks) == 1 ? "" : "s");
        append_wrapped(s, "      ", lacks);
        if (without)
            g_string_append_printf(s, "    baseline without it: %s, psABI level %s\n",
                                   cs_cpu_def_get_model(without),
                                   cs_fleet_plan_dragger_level(plan, d));
    }

    if (joined < n) {
        g_string_append(s, "\nHosts that cannot join:\n");
        for (guint64 i = 0; i < n; i++) {
            CsHostStatus st = cs_fleet_plan_host_status(plan, i);

            if (st != CS_HOST_JOINED)
                g_string_append_printf(s, "  %s: %s: %s\n", cs_fleet_plan_host_name(plan, i),
                                       cs_host_status_to_string(st),
                                       cs_fleet_plan_host_reason(plan, i));
        }
    }

    g_string_append(s, "\nHosts:\n");
    for (guint64 i = 0; i < n && i < TEXT_MAX_HOSTS; i++) {
        const char *model = cs_fleet_plan_host_model(plan, i);
        const char *level = cs_fleet_plan_host_level(plan, i);

        g_string_append_printf(s, "  %-44s %-28s %-10s %s\n",
                               cs_fleet_plan_host_name(plan, i), model ? model : "-",
                               level ? level : "-",
                               cs_host_status_to_string(cs_fleet_plan_host_status(plan, i)));
    }
    if (n > TEXT_MAX_HOSTS)
        g_string_append_printf(s, "  ... %" G_GUINT64_FORMAT " more (--json lists every "
                               "host)\n", n - TEXT_MAX_HOSTS);
    return g_string_free(s, FALSE);
}

static int
run(int argc, char **argv, gboolean plan_cmd)
{
    CliCommon common = { 0 };
    gboolean expand = FALSE, migratable = FALSE, explain = plan_cmd;
    GOptionEntry entries[] = {
        { "expand", 0, 0, G_OPTION_ARG_NONE, &expand,
          "List the model's features explicitly", NULL },
        { "migratable", 0, 0, G_OPTION_ARG_NONE, &migratable,
          "Drop features that block migration", NULL },
        { "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
          "Plan the fleet: psABI levels, hosts holding the baseline back, hosts "
          "that cannot join (same as 'cpusel plan')", NULL },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        plan_cmd ? "FILE... - plan a fleet: what CPU all hosts share and what holds it back"
                 : "FILE... - compute one guest CPU every host can run");
    g_autoptr(CsCpuMap) map = NULL;
    g_autoptr(CsBaselineBuilder) b = NULL;
    CsBaselineFlags flags = CS_BASELINE_DEFAULT;
    GError *error = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    cli_add_common(ctx, &common);
    g_option_context_set_description(ctx,
        "Each FILE holds host CPUs: a <cpu>, a capabilities document, a list of <cpu>\n"
        "elements (<cpuTest>), or a raw <cpudata> / 'cpuid -r' dump (decoded first).\n"
        "Any number of hosts stream through in constant memory.");
    if (!cli_parse(ctx, &argc, &argv)) {
        cli_common_clear(&common);
        return CPUSEL_EXIT_USAGE;
    }
    if (argc < 2) {
        cli_common_clear(&common);
        return cli_usage(plan_cmd ? "plan" : "baseline", "expected at least one FILE");
    }
    if (expand)
        flags |= CS_BASELINE_EXPAND;
    if (migratable)
        flags |= CS_BASELINE_MIGRATABLE;
    if (!(map = cli_load_map(&common, &error))) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    b = cs_baseline_builder_new(map, flags,
                                explain ? CS_BASELINE_BUILD_PLAN : CS_BASELINE_BUILD_EXACT);
    if (!read_hosts(map, b, argv + 1, explain, &error)) {
        cli_common_clear(&common);
        return baseline_fail(error);
    }

    if (explain) {
        g_autoptr(CsFleetPlan) plan = NULL;
        g_autofree char *text = NULL;

        if (!(plan = cs_baseline_builder_plan(b, &error))) {
            cli_common_clear(&common);
            return baseline_fail(error);
        }
        text = common.json ? plan_json(map, plan) : plan_text(plan);
        rc = cli_print(text);
    } else {
        g_autoptr(CsCpuDef) def = NULL;

        if (!(def = cs_baseline_builder_finish(b, &error))) {
            cli_common_clear(&common);
            return baseline_fail(error);
        }
        if (common.json) {
            g_autoptr(JsonBuilder) jb = json_builder_new();
            g_autofree char *text = NULL;
            const char *level = cs_cpu_def_psabi_level(map, def, NULL);

            json_builder_begin_object(jb);
            json_builder_set_member_name(jb, "cpu");
            json_builder_add_value(jb, cli_json_cpu_def(def));
            json_member_string(jb, "psabi_level", level);
            json_builder_set_member_name(jb, "hosts");
            json_builder_add_int_value(jb, cs_baseline_builder_get_n_hosts(b));
            json_builder_end_object(jb);
            text = cli_json_to_string(json_builder_get_root(jb));
            rc = cli_print(text);
        } else {
            g_autofree char *xml = cs_cpu_def_format_xml_full(def, 0, cs_cpu_map_get_format_flags(map));

            rc = cli_print(xml);
        }
    }
    cli_common_clear(&common);
    return rc;
}

int
cmd_baseline(int argc, char **argv)
{
    return run(argc, argv, FALSE);
}

int
cmd_plan(int argc, char **argv)
{
    return run(argc, argv, TRUE);
}
