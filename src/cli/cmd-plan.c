/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel plan (and baseline --explain): the fleet plan as text or JSON.
 * Host lists can hold most of a fleet of 100,000 hosts, so the JSON
 * document is written a piece at a time, the host lists spliced in as
 * text.
 *
 * Why this file is long (~770 lines): the text and the JSON form of the
 * plan share their helpers (host lists, the models of a set of hosts,
 * related models); in two files they would need a header of their own
 * for one command. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void
json_member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

/* @value as a JSON string. */
static void
json_append_string(GString *out, const char *value)
{
    const unsigned char *p = (const unsigned char *) value;

    g_string_append_c(out, '"');
    for (; *p; p++) {
        gsize plain = 0;

        /* runs of characters that need no escape go in at once */
        while (p[plain] >= 0x20 && p[plain] != '"' && p[plain] != '\\')
            plain++;
        if (plain) {
            g_string_append_len(out, (const char *) p, plain);
            p += plain - 1;
            continue;
        }
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

/* "      \"name\" : value" in json-glib's pretty layout (six spaces deep). */
static void
json_text_member(GString *out, const char *name, const char *value, gboolean last)
{
    g_string_append_printf(out, "      \"%s\" : ", name);
    if (!value)
        g_string_append(out, "null");
    else
        json_append_string(out, value);
    g_string_append(out, last ? "\n" : ",\n");
}

typedef guint64 (*NextHostFunc)(const CsFleetPlan *plan, guint i, guint64 from);

/* Names of the hosts @next yields for @i, at most @max of them, NULL-terminated. */
static GPtrArray *
host_names(const CsFleetPlan *plan, NextHostFunc next, guint i, guint64 max)
{
    GPtrArray *out = g_ptr_array_new();
    guint64 n = cs_fleet_plan_get_n_hosts(plan);

    for (guint64 h = next(plan, i, 0); h < n && out->len < max; h = next(plan, i, h + 1))
        g_ptr_array_add(out, (gpointer) cs_fleet_plan_host_name(plan, h));
    g_ptr_array_add(out, NULL);
    return out;
}

/* JSON of a big fleet goes to stdout a piece at a time. */
typedef struct {
    GString *buf;
    gboolean failed;
} Sink;

static void
sink_flush(Sink *sink, gsize above)
{
    if (sink->buf->len <= above)
        return;
    if (!sink->failed && fwrite(sink->buf->str, 1, sink->buf->len, stdout) != sink->buf->len)
        sink->failed = TRUE;
    g_string_truncate(sink->buf, 0);
}

#define SINK_CHUNK (1u << 20)

/* Lists of host names can be long (a group may hold half of 100,000 hosts):
 * the JSON tree gets a placeholder string, replaced by the list written as
 * text once the tree is formatted. */
#define HOSTS_MARK "\x01hosts:"

static void
json_add_hosts_mark(JsonBuilder *b, char kind, guint i)
{
    g_autofree char *mark = g_strdup_printf(HOSTS_MARK "%c%u", kind, i);

    json_builder_add_string_value(b, mark);
}

/* Copies @text to @out, writing the host lists in place of their marks. */
static void
splice_host_lists(Sink *sink, const char *text, const CsFleetPlan *plan)
{
    GString *out = sink->buf;
    static const char quoted[] = "\"\\u0001hosts:";
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    const char *p = text;
    const char *at;

    while ((at = strstr(p, quoted))) {
        const char *line = at;
        const char *q = at + strlen(quoted);
        char kind = *q++;
        guint i = (guint) g_ascii_strtoull(q, (char **) &q, 10);
        NextHostFunc next = kind == 'd' ? cs_fleet_plan_dragger_next_host
                                        : cs_fleet_plan_disabled_next_host;
        gsize indent;
        gboolean first = TRUE;

        while (line > text && line[-1] != '\n')
            line--;
        indent = strspn(line, " ");
        g_string_append_len(out, p, at - p);
        g_string_append_c(out, '[');
        g_autofree char *pad = g_strnfill(indent + 2, ' ');

        for (guint64 h = next(plan, i, 0); h < n; h = next(plan, i, h + 1)) {
            g_string_append(out, first ? "\n" : ",\n");
            first = FALSE;
            g_string_append(out, pad);
            json_append_string(out, cs_fleet_plan_host_name(plan, h));
            sink_flush(sink, SINK_CHUNK);
        }
        if (!first) {
            g_string_append_c(out, '\n');
            g_string_append_len(out, pad, indent);
        }
        g_string_append_c(out, ']');
        p = q + 1;      /* after the closing quote */
    }
    g_string_append(out, p);
}

typedef struct {
    const char *model;
    guint64 n;
} ModelCount;

/* The models of a set of hosts, most hosts first, from the plan. */
typedef guint (*NModelsFunc)(const CsFleetPlan *plan, guint i);
typedef const char *(*ModelFunc)(const CsFleetPlan *plan, guint i, guint k,
                                 guint64 *out_n_hosts);

static GArray *
host_models(const CsFleetPlan *plan, NModelsFunc n_models, ModelFunc model, guint i)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(ModelCount));

    for (guint k = 0; k < n_models(plan, i); k++) {
        ModelCount mc = { NULL, 0 };

        mc.model = model(plan, i, k, &mc.n);
        g_array_append_val(out, mc);
    }
    return out;
}

/* "Penryn 1,200, core2duo 533" (capped like every list). */
static char *
models_text(const GArray *models)
{
    g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);

    for (guint k = 0; k < models->len && k < CLI_LIST_MAX; k++) {
        const ModelCount *mc = &g_array_index(models, ModelCount, k);
        g_autofree char *count = cli_count(mc->n);

        g_ptr_array_add(parts, g_strdup_printf("%s %s%s", mc->model, count,
                                               k + 1 < models->len ? "," : ""));
    }
    g_ptr_array_add(parts, NULL);
    return cli_join_list((const char *const *) parts->pdata, models->len);
}

static void
json_member_models(JsonBuilder *b, const GArray *models)
{
    json_builder_set_member_name(b, "models");
    json_builder_begin_array(b);
    for (guint k = 0; k < models->len; k++) {
        const ModelCount *mc = &g_array_index(models, ModelCount, k);

        json_builder_begin_object(b);
        json_member_string(b, "model", mc->model);
        json_builder_set_member_name(b, "n_hosts");
        json_builder_add_int_value(b, mc->n);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

/* Whether two iterators yield the same hosts. */
static gboolean
same_hosts(const CsFleetPlan *plan, NextHostFunc next, guint a, guint b)
{
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 x = next(plan, a, 0);
    guint64 y = next(plan, b, 0);

    while (x < n && x == y) {
        x = next(plan, a, x + 1);
        y = next(plan, b, y + 1);
    }
    return x == y;
}

static gboolean
strv_equal(const char *const *a, const char *const *b)
{
    for (; *a && *b; a++, b++) {
        if (strcmp(*a, *b) != 0)
            return FALSE;
    }
    return !*a && !*b;
}

/* A sentence saying how models @a and @b are related, or NULL. */
static char *
relation_text(const CsCpuMap *map, const char *a, const char *b)
{
    int ia = a ? cs_cpu_map_lookup_model(map, a) : -1;
    int ib = b ? cs_cpu_map_lookup_model(map, b) : -1;
    int family = -1;
    guint va = 0, vb = 0;

    if (ia < 0 || ib < 0)
        return NULL;
    switch (cs_cpu_map_model_relation(map, ia, ib, &family)) {
    case CS_MODEL_VERSION_OF:
        return g_strdup_printf("%s is a version of %s", a, b);
    case CS_MODEL_HAS_VERSION:
        return g_strdup_printf("%s is a version of %s", b, a);
    case CS_MODEL_SIBLINGS:
        cs_cpu_map_model_version(map, ia, &va);
        cs_cpu_map_model_version(map, ib, &vb);
        return g_strdup_printf("%s is a version of %s (v%u), as %s is (v%u)", a,
                               cs_cpu_map_model_name(map, family), va, b, vb);
    default:
        return NULL;
    }
}

/* The distinct models of the joined hosts related to the baseline's model
 * (by name in first-seen order, with their host counts). */
static GArray *
related_models(const CsCpuMap *map, const CsFleetPlan *plan)
{
    const char *base = cs_cpu_def_get_model(cs_fleet_plan_get_baseline(plan));
    int ib = base ? cs_cpu_map_lookup_model(map, base) : -1;
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(ModelCount));
    GArray *out = g_array_new(FALSE, FALSE, sizeof(ModelCount));
    guint64 n = cs_fleet_plan_get_n_hosts(plan);

    for (guint64 h = 0; h < n; h++) {
        const char *m = cs_fleet_plan_host_model(plan, h);
        gpointer at;

        if (!m || cs_fleet_plan_host_status(plan, h) != CS_HOST_JOINED)
            continue;
        if ((at = g_hash_table_lookup(seen, m))) {
            g_array_index(all, ModelCount, GPOINTER_TO_UINT(at) - 1).n++;
        } else {
            ModelCount mc = { m, 1 };

            g_array_append_val(all, mc);
            g_hash_table_insert(seen, (gpointer) m, GUINT_TO_POINTER(all->len));
        }
    }
    for (guint k = 0; ib >= 0 && k < all->len; k++) {
        const ModelCount *mc = &g_array_index(all, ModelCount, k);
        int im = cs_cpu_map_lookup_model(map, mc->model);
        CsModelRelation rel = im >= 0 ? cs_cpu_map_model_relation(map, im, ib, NULL)
                                      : CS_MODEL_UNRELATED;

        if (rel != CS_MODEL_UNRELATED && rel != CS_MODEL_SAME)
            g_array_append_val(out, *mc);
    }
    return out;
}

/* The version number of model @i (null when it has none). */
static void
json_member_version(JsonBuilder *b, const char *name, const CsCpuMap *map, int i)
{
    guint v = 0;

    json_builder_set_member_name(b, name);
    if (i >= 0 && cs_cpu_map_model_version(map, i, &v) >= 0)
        json_builder_add_int_value(b, v);
    else
        json_builder_add_null_value(b);
}

static void
json_member_relation(JsonBuilder *b, const CsCpuMap *map, const char *a, const char *base)
{
    int ia = a ? cs_cpu_map_lookup_model(map, a) : -1;
    int ib = base ? cs_cpu_map_lookup_model(map, base) : -1;
    int family = -1;
    CsModelRelation rel = CS_MODEL_UNRELATED;

    if (ia >= 0 && ib >= 0)
        rel = cs_cpu_map_model_relation(map, ia, ib, &family);
    json_member_string(b, "relation", cs_model_relation_to_string(rel));
    json_member_string(b, "family", family >= 0 ? cs_cpu_map_model_name(map, family) : NULL);
    json_member_version(b, "version", map, family >= 0 ? ia : -1);
    json_member_version(b, "baseline_version", map, family >= 0 ? ib : -1);
}

/* Prints the plan as JSON; returns the exit code. */
static int
plan_json(const CsCpuMap *map, const CsFleetPlan *plan)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    const char *base_model = cs_cpu_def_get_model(base);
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 joined = 0;
    g_autoptr(GArray) related = related_models(map, plan);
    g_autofree char *text = NULL;
    Sink sink = { g_string_sized_new(SINK_CHUNK + 4096), FALSE };
    GString *out = sink.buf;
    gboolean first;
    gsize len;

    for (guint64 i = 0; i < n; i++)
        joined += cs_fleet_plan_host_status(plan, i) == CS_HOST_JOINED;
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command");
    json_builder_add_string_value(b, "plan");
    json_builder_set_member_name(b, "hosts_total");
    json_builder_add_int_value(b, n);
    json_builder_set_member_name(b, "hosts_joined");
    json_builder_add_int_value(b, joined);
    json_member_string(b, "arch", cs_fleet_plan_get_arch(plan));
    json_member_string(b, "vendor", cs_fleet_plan_get_vendor(plan));
    json_builder_set_member_name(b, "baseline");
    json_builder_add_value(b, cli_json_cpu_def(base));
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

    json_builder_set_member_name(b, "disabled");
    json_builder_begin_array(b);
    for (guint i = 0; i < cs_fleet_plan_get_n_disabled(plan); i++) {
        g_autoptr(GArray) models = host_models(plan, cs_fleet_plan_disabled_n_models,
                                               cs_fleet_plan_disabled_model, i);

        json_builder_begin_object(b);
        json_member_string(b, "feature", cs_fleet_plan_disabled_feature(plan, i));
        json_builder_set_member_name(b, "n_hosts");
        json_builder_add_int_value(b, cs_fleet_plan_disabled_n_hosts(plan, i));
        json_builder_set_member_name(b, "hosts");
        json_add_hosts_mark(b, 'f', i);
        json_member_models(b, models);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "related_models");
    json_builder_begin_array(b);
    for (guint k = 0; k < related->len; k++) {
        const ModelCount *mc = &g_array_index(related, ModelCount, k);

        json_builder_begin_object(b);
        json_member_string(b, "model", mc->model);
        json_builder_set_member_name(b, "n_hosts");
        json_builder_add_int_value(b, mc->n);
        json_member_string(b, "baseline_model", base_model);
        json_member_relation(b, map, mc->model, base_model);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);

    json_builder_set_member_name(b, "holding_back");
    json_builder_begin_array(b);
    for (guint d = 0; d < cs_fleet_plan_get_n_draggers(plan); d++) {
        const CsCpuDef *without = cs_fleet_plan_dragger_baseline(plan, d);
        const char *const *gains = cs_fleet_plan_dragger_gains(plan, d);
        g_autoptr(GArray) models = host_models(plan, cs_fleet_plan_dragger_n_models,
                                               cs_fleet_plan_dragger_model, d);

        json_builder_begin_object(b);
        json_builder_set_member_name(b, "n_hosts");
        json_builder_add_int_value(b, cs_fleet_plan_dragger_n_hosts(plan, d));
        json_builder_set_member_name(b, "hosts");
        json_add_hosts_mark(b, 'd', d);
        json_member_models(b, models);
        json_builder_set_member_name(b, "lacks");
        json_builder_add_value(b, cli_json_strv(cs_fleet_plan_dragger_lacks(plan, d)));
        json_builder_set_member_name(b, "baseline_without");
        if (without) {
            const char *level = cs_fleet_plan_dragger_level(plan, d);

            json_builder_begin_object(b);
            json_builder_set_member_name(b, "changes");
            json_builder_add_boolean_value(b, gains[0] != NULL);
            json_member_string(b, "model", cs_cpu_def_get_model(without));
            json_member_relation(b, map, cs_cpu_def_get_model(without), base_model);
            json_member_string(b, "psabi_level", level);
            json_builder_set_member_name(b, "psabi_level_changes");
            json_builder_add_boolean_value(b, g_strcmp0(level,
                                                        cs_fleet_plan_get_level(plan)) != 0);
            json_builder_set_member_name(b, "gains");
            json_builder_add_value(b, cli_json_strv(gains));
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
    text = cli_json_to_string(json_builder_get_root(b));

    /* The per-host arrays are written as text in the generator's layout:
     * for 100,000 hosts a JSON tree would cost several times the output. */
    len = strlen(text);
    if (len >= 3)
        text[len - 3] = '\0';      /* "\n}\n": the arrays below end the object */
    splice_host_lists(&sink, text, plan);
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
        sink_flush(&sink, SINK_CHUNK);
    }
    g_string_append(out, first ? "]" : "\n  ]");
    g_string_append(out, ",\n  \"hosts\" : [");
    for (guint64 i = 0; i < n; i++) {
        g_string_append(out, i ? ",\n" : "\n");
        g_string_append(out, "    {\n");
        json_text_member(out, "name", cs_fleet_plan_host_name(plan, i), FALSE);
        json_text_member(out, "uuid", cs_fleet_plan_host_uuid(plan, i), FALSE);
        json_text_member(out, "model", cs_fleet_plan_host_model(plan, i), FALSE);
        json_text_member(out, "vendor", cs_fleet_plan_host_vendor(plan, i), FALSE);
        json_text_member(out, "psabi_level", cs_fleet_plan_host_level(plan, i), FALSE);
        json_text_member(out, "status",
                         cs_host_status_to_string(cs_fleet_plan_host_status(plan, i)),
                         TRUE);
        g_string_append(out, "    }");
        sink_flush(&sink, SINK_CHUNK);
    }
    g_string_append(out, n ? "\n  ]\n}\n" : "]\n}\n");
    sink_flush(&sink, 0);
    g_string_free(out, TRUE);
    if (sink.failed || fflush(stdout) != 0) {
        perror("cpusel: cannot write output");
        return CPUSEL_EXIT_FAIL;
    }
    return CPUSEL_EXIT_OK;
}

static const char *
plural(guint64 n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "Features the baseline disables": each with the hosts lacking it (features
 * lacked by the same hosts share a line). */
static void
append_disabled(GString *s, const CsFleetPlan *plan, guint64 joined)
{
    guint nd = cs_fleet_plan_get_n_disabled(plan);
    g_autofree gboolean *done = g_new0(gboolean, nd + 1);

    if (nd == 0)
        return;
    g_string_append(s, "\nFeatures the baseline disables and the hosts lacking them:\n");
    for (guint i = 0; i < nd; i++) {
        g_autoptr(GPtrArray) feats = g_ptr_array_new();
        g_autoptr(GPtrArray) names = NULL;
        g_autoptr(GArray) models = NULL;
        g_autofree char *mt = NULL;
        guint64 nh = cs_fleet_plan_disabled_n_hosts(plan, i);
        g_autofree char *count = cli_count(nh);
        g_autofree char *fj = NULL;

        if (done[i])
            continue;
        for (guint k = i; k < nd; k++) {
            if (!done[k] && cs_fleet_plan_disabled_n_hosts(plan, k) == nh &&
                same_hosts(plan, cs_fleet_plan_disabled_next_host, i, k)) {
                done[k] = TRUE;
                g_ptr_array_add(feats, (gpointer) cs_fleet_plan_disabled_feature(plan, k));
            }
        }
        g_ptr_array_add(feats, NULL);
        fj = cli_join_list((const char *const *) feats->pdata, feats->len - 1);
        if (nh == 0) {
            g_string_append_printf(s, "  %s: no host lacks %s\n", fj,
                                   plural(feats->len - 1, "it", "them"));
            continue;
        }
        models = host_models(plan, cs_fleet_plan_disabled_n_models,
                             cs_fleet_plan_disabled_model, i);
        mt = models_text(models);
        g_string_append_printf(s, "  %s: %s%s %s %s (%s):\n", fj,
                               nh == joined && nh > 1 ? "all " : "", count,
                               plural(nh, "host lacks", "hosts lack"),
                               plural(feats->len - 1, "it", "them"), mt);
        names = host_names(plan, cs_fleet_plan_disabled_next_host, i, CLI_LIST_MAX);
        cli_append_list(s, "      ", (const char *const *) names->pdata, nh);
    }
}

static void
append_related(GString *s, const CsCpuMap *map, const CsFleetPlan *plan)
{
    const char *base = cs_cpu_def_get_model(cs_fleet_plan_get_baseline(plan));
    g_autoptr(GArray) related = related_models(map, plan);
    g_autoptr(CliTable) t = cli_table_new(3, CLI_LIST_MAX);

    if (related->len == 0)
        return;
    g_string_append_printf(s, "\nHost models named apart from the baseline's %s but "
                              "related to it:\n", base);
    for (guint k = 0; k < related->len; k++) {
        const ModelCount *mc = &g_array_index(related, ModelCount, k);
        g_autofree char *rel = relation_text(map, mc->model, base);
        g_autofree char *count = cli_count(mc->n);
        g_autofree char *hosts = g_strdup_printf("%s %s", count,
                                                 plural(mc->n, "host", "hosts"));

        cli_table_add_row(t, mc->model, hosts, rel);
    }
    cli_table_append(t, s, "  ");
}

/* One host or group holding the baseline back, and what leaving it out
 * changes. */
static void
append_dragger(GString *s, const CsCpuMap *map, const CsFleetPlan *plan, guint d)
{
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    const CsCpuDef *without = cs_fleet_plan_dragger_baseline(plan, d);
    const char *const *lacks = cs_fleet_plan_dragger_lacks(plan, d);
    const char *const *gains = cs_fleet_plan_dragger_gains(plan, d);
    guint64 nh = cs_fleet_plan_dragger_n_hosts(plan, d);
    guint nl = g_strv_length((char **) lacks);
    guint ng = g_strv_length((char **) gains);
    const char *them = nh == 1 ? "it" : "all of them";

    if (nh == 1) {
        guint64 h = cs_fleet_plan_dragger_host(plan, d);

        g_string_append_printf(s, "  %s (%s, %s) alone lacks %u %s:\n",
                               cs_fleet_plan_host_name(plan, h),
                               cs_fleet_plan_host_model(plan, h),
                               cs_fleet_plan_host_level(plan, h), nl,
                               plural(nl, "feature", "features"));
        cli_append_list(s, "      ", lacks, nl);
    } else {
        g_autoptr(GPtrArray) names = host_names(plan, cs_fleet_plan_dragger_next_host, d,
                                                CLI_LIST_MAX);
        g_autoptr(GArray) models = host_models(plan, cs_fleet_plan_dragger_n_models,
                                               cs_fleet_plan_dragger_model, d);
        g_autofree char *mt = models_text(models);
        g_autofree char *count = cli_count(nh);

        g_string_append_printf(s, "  %s hosts together lack %u %s every other host has:\n",
                               count, nl, plural(nl, "feature", "features"));
        cli_append_list(s, "      ", lacks, nl);
        g_string_append_printf(s, "    these hosts (%s):\n", mt);
        cli_append_list(s, "      ", (const char *const *) names->pdata, nh);
    }
    if (!without) {
        g_string_append_printf(s, "    without %s: not computed (too many hosts and groups "
                                  "hold the baseline back)\n", them);
        return;
    }
    if (ng == 0) {
        g_string_append_printf(s, "    without %s nothing changes: the baseline stays %s,\n"
                                  "      psABI level %s, with the same features (it would "
                                  "not take what\n      %s %s)\n", them,
                               cs_cpu_def_get_model(base), cs_fleet_plan_get_level(plan),
                               nh == 1 ? "this host" : "these hosts",
                               nh == 1 ? "lacks" : "lack");
        return;
    }
    g_string_append_printf(s, "    without %s:\n", them);
    if (g_strcmp0(cs_cpu_def_get_model(without), cs_cpu_def_get_model(base)) == 0) {
        g_string_append_printf(s, "      model %s (unchanged)\n", cs_cpu_def_get_model(base));
    } else {
        g_autofree char *rel = relation_text(map, cs_cpu_def_get_model(without),
                                             cs_cpu_def_get_model(base));

        g_string_append_printf(s, "      model %s instead of %s\n",
                               cs_cpu_def_get_model(without), cs_cpu_def_get_model(base));
        if (rel)
            g_string_append_printf(s, "        %s\n", rel);
    }
    if (g_strcmp0(cs_fleet_plan_dragger_level(plan, d), cs_fleet_plan_get_level(plan)) == 0)
        g_string_append_printf(s, "      psABI level %s (unchanged)\n",
                               cs_fleet_plan_get_level(plan));
    else
        g_string_append_printf(s, "      psABI level %s instead of %s\n",
                               cs_fleet_plan_dragger_level(plan, d),
                               cs_fleet_plan_get_level(plan));
    if (strv_equal(gains, lacks) && ng == 1) {
        g_string_append(s, "      gains the feature above\n");
    } else if (strv_equal(gains, lacks)) {
        g_string_append_printf(s, "      gains the %u features above\n", ng);
    } else {
        g_string_append_printf(s, "      gains %u %s:\n", ng, plural(ng, "feature", "features"));
        cli_append_list(s, "        ", gains, ng);
    }
}

static char *
plan_text(const CsCpuMap *map, const CsFleetPlan *plan)
{
    GString *s = g_string_new(NULL);
    const CsCpuDef *base = cs_fleet_plan_get_baseline(plan);
    guint64 n = cs_fleet_plan_get_n_hosts(plan);
    guint64 joined = 0;
    guint nd = cs_fleet_plan_get_n_draggers(plan);
    g_autofree char *xml = cs_cpu_def_format_xml(base, 2);
    g_autofree char *n_text = cli_count(n);
    g_autofree char *joined_text = NULL;
    g_autoptr(CliTable) levels = cli_table_new(2, 0);
    g_autoptr(CliTable) refused = cli_table_new(3, CLI_LIST_MAX);
    g_autoptr(CliTable) hosts = cli_table_new(4, CLI_LIST_MAX + 1);   /* + header */
    gboolean single = FALSE;
    static const char *const names[] = {
        "none", "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4",
    };

    for (guint64 i = 0; i < n; i++)
        joined += cs_fleet_plan_host_status(plan, i) == CS_HOST_JOINED;
    joined_text = cli_count(joined);
    g_string_append_printf(s, "Hosts: %s, %s can join (%s, %s)", n_text, joined_text,
                           cs_fleet_plan_get_vendor(plan) ?
                           cs_fleet_plan_get_vendor(plan) : "no vendor",
                           cs_fleet_plan_get_arch(plan));
    if (joined < n) {
        g_autofree char *c = cli_count(n - joined);

        g_string_append_printf(s, ", %s cannot", c);
    }
    g_string_append_printf(s, "\nBaseline: %s, psABI level %s\n%s",
                           cs_cpu_def_get_model(base), cs_fleet_plan_get_level(plan), xml);

    g_string_append(s, "\npsABI levels of the hosts that join:\n");
    for (int l = 4; l >= 0; l--) {
        guint64 c = cs_fleet_plan_get_level_count(plan, l);
        g_autofree char *ct = cli_count(c);

        if (c)
            cli_table_add_row(levels, names[l], ct);
    }
    cli_table_append(levels, s, "  ");

    append_disabled(s, plan, joined);
    append_related(s, map, plan);

    for (guint d = 0; d < nd; d++)
        single = single || cs_fleet_plan_dragger_n_hosts(plan, d) == 1;
    if (nd == 0) {
        g_string_append(s, "\nNothing holds the baseline back: no host, and no group of "
                           "at most half of\nthe hosts, lacks a feature all other hosts "
                           "have.\n");
    } else {
        g_string_append(s, "\nWhat holds the baseline back (hosts or groups of at most "
                           "half of the hosts\nlacking features all other hosts have):\n");
        if (!single)
            g_string_append(s, "  No single host holds it back; groups of hosts do.\n");
    }
    for (guint d = 0; d < nd && d < CLI_LIST_MAX; d++)
        append_dragger(s, map, plan, d);
    if (nd > CLI_LIST_MAX)
        cli_append_more(s, "  ", nd - CLI_LIST_MAX);

    if (joined < n) {
        g_string_append(s, "\nHosts that cannot join:\n");
        for (guint64 i = 0; i < n; i++) {
            CsHostStatus st = cs_fleet_plan_host_status(plan, i);

            if (st != CS_HOST_JOINED)
                cli_table_add_row(refused, cs_fleet_plan_host_name(plan, i),
                                  cs_host_status_to_string(st),
                                  cs_fleet_plan_host_reason(plan, i));
        }
        cli_table_append(refused, s, "  ");
    }

    g_string_append(s, "\nHosts:\n");
    cli_table_add_row(hosts, "HOST", "MODEL", "PSABI LEVEL", "STATUS");
    for (guint64 i = 0; i < n; i++)
        cli_table_add_row(hosts, cs_fleet_plan_host_name(plan, i),
                          cs_fleet_plan_host_model(plan, i),
                          cs_fleet_plan_host_level(plan, i),
                          cs_host_status_to_string(cs_fleet_plan_host_status(plan, i)));
    cli_table_append(hosts, s, "  ");
    return g_string_free(s, FALSE);
}

int
cli_print_plan(const CsCpuMap *map, const CsFleetPlan *plan, gboolean json,
               gboolean in_baseline)
{
    g_autofree char *text = NULL;

    if (json)
        return plan_json(map, plan);
    if (in_baseline) {
        /* baseline --explain: the baseline <cpu> with the plan as a
         * comment, one XML document */
        g_autofree char *xml = cs_cpu_def_format_xml_full(
            cs_fleet_plan_get_baseline(plan), 0, cs_cpu_map_get_format_flags(map));
        g_autofree char *note = plan_text(map, plan);
        GString *doc = g_string_new(xml);

        cli_append_comment(doc, note);
        text = g_string_free(doc, FALSE);
        return cli_print(text);
    }
    text = plan_text(map, plan);
    return cli_print(text);
}
