/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel baseline / cpusel plan: one guest CPU every host can run, and the
 * fleet planner (plan is baseline --explain; its output is cmd-plan.c).
 * Inputs stream through (any number of hosts). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

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

/* An argument NAME=FILE names the hosts of FILE (NAME holds no '/', so that
 * "./a=b.xml" reads a file whose name has '='); a plain FILE is named by
 * its path. Returns: the file; *@out_name the name (both point into @arg). */
static const char *
split_named(const char *arg, char **out_name)
{
    const char *eq = strchr(arg, '=');

    *out_name = NULL;
    if (!eq || eq == arg || memchr(arg, '/', eq - arg) || !eq[1])
        return arg;
    *out_name = g_strndup(arg, eq - arg);
    return eq + 1;
}

/* Streams every CPU of @args (FILE or NAME=FILE) into @b. In exact mode a
 * bad input stops at once (FALSE with @error); when planning it only marks
 * the host. */
static gboolean
read_hosts(const CsCpuMap *map, CsBaselineBuilder *b, char **args, gboolean plan,
           GError **error)
{
    Progress prog = { .enabled = isatty(2), .start = g_get_monotonic_time() };
    gboolean ok = TRUE;

    for (guint i = 0; ok && args[i]; i++) {
        g_autoptr(CsCpuStream) s = NULL;
        g_autofree char *name = NULL;
        const char *file = split_named(args[i], &name);
        GError *local = NULL;

        prog.file = file;
        /* "-": standard input (a pipe or a file) */
        if (!(s = cs_cpu_stream_open_file(map, strcmp(file, "-") == 0 ? "/dev/stdin" : file,
                                          &local))) {
            if (plan)
                cs_baseline_builder_add_error(b, name ? name : file, local);
            else
                g_propagate_error(error, local);
            ok = plan;
            continue;
        }
        ok = cs_baseline_builder_add_stream(b, s, name ? name : file, progress_update, &prog,
                                            error);
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

static int
run(int argc, char **argv, gboolean plan_cmd)
{
    CliCommon common = { 0 };
    gboolean expand = FALSE, migratable = FALSE, explain = plan_cmd;
    g_autofree char *models = NULL;
    g_autofree char *qmp = NULL;
    g_auto(GStrv) allowed = NULL;
    GOptionEntry entries[] = {
        { "expand", 0, 0, G_OPTION_ARG_NONE, &expand,
          "List the model's features explicitly", NULL },
        { "migratable", 0, 0, G_OPTION_ARG_NONE, &migratable,
          "Drop features that block migration", NULL },
        { "explain", 0, 0, G_OPTION_ARG_NONE, &explain,
          "Plan the fleet: psABI levels, hosts holding the baseline back, hosts "
          "that cannot join (same as 'cpusel plan')", NULL },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Only use the models a hypervisor supports (comma-separated; "
          "Name:feat:feat marks blockers)", "M,..." },
        { "qmp", 0, 0, G_OPTION_ARG_FILENAME, &qmp,
          "Only use the models of QEMU's query-cpu-definitions reply in FILE "
          "(as 'virsh hypervisor-cpu-baseline')", "FILE" },
        G_OPTION_ENTRY_NULL
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        plan_cmd ? "[NAME=]FILE... - plan a fleet: what CPU all hosts share and what "
                   "holds it back"
                 : "[NAME=]FILE... - compute one guest CPU every host can run");
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
        "Any number of hosts stream through in constant memory.\n\n"
        "The plan names a host NAME when given as NAME=FILE (NAME without '/'; write\n"
        "./FILE for a file whose name has '='), else by its file when the file holds\n"
        "one CPU, else by the <host><uuid> of its capabilities document, else FILE#N.");
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
    if (models && qmp) {
        cli_common_clear(&common);
        return cli_usage(plan_cmd ? "plan" : "baseline",
                         "--models and --qmp exclude each other");
    }
    if (!(map = cli_load_map(&common, &error)) ||
        !cli_allowed_models(map, models, qmp, &allowed, &error)) {
        cli_common_clear(&common);
        return cli_fail(error);
    }
    b = cs_baseline_builder_new(map, flags,
                                explain ? CS_BASELINE_BUILD_PLAN : CS_BASELINE_BUILD_EXACT);
    cs_baseline_builder_set_models(b, (const char *const *) allowed);
    if (!read_hosts(map, b, argv + 1, explain, &error)) {
        cli_common_clear(&common);
        return baseline_fail(error);
    }

    if (explain) {
        g_autoptr(CsFleetPlan) plan = NULL;

        if (!(plan = cs_baseline_builder_plan(b, &error))) {
            cli_common_clear(&common);
            return baseline_fail(error);
        }
        rc = cli_print_plan(map, plan, common.json, !plan_cmd);
    } else {
        g_autoptr(CsCpuDef) def = NULL;

        if (!(def = cs_baseline_builder_finish(b, &error))) {
            cli_common_clear(&common);
            return baseline_fail(error);
        }
        if (common.json) {
            JsonBuilder *jb = cli_json_begin("baseline");
            const char *level = cs_cpu_def_psabi_level(map, def, NULL);

            json_builder_set_member_name(jb, "cpu");
            json_builder_add_value(jb, cli_json_cpu_def(def));
            json_builder_set_member_name(jb, "psabi_level");
            if (level)
                json_builder_add_string_value(jb, level);
            else
                json_builder_add_null_value(jb);
            json_builder_set_member_name(jb, "hosts");
            json_builder_add_int_value(jb, cs_baseline_builder_get_n_hosts(b));
            rc = cli_json_finish(jb);
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
