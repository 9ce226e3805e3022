/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library's thread rules, checked (run it under ThreadSanitizer: `make
 * tsan`, clang -fsanitize=thread, G_SLICE=always-malloc).
 *
 * Shared, read-only objects: the built-in map and a map loaded from a
 * cpu_map directory, raw CPU data, host and guest CPU definitions. Threads
 * run decode, compare, encode, update (on their own copies), guest data,
 * baseline, the streaming reader and the fleet planner on them, and parse
 * inputs through libxml2, all at once from the first call (libxml2 is
 * initialised by whichever thread comes first). Every result, as text, must
 * equal what one thread computes alone afterwards.
 *
 *   test-threads [THREADS [ROUNDS]]     (default 8 threads, 100 rounds) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libcpusel/libcpusel.h>

#ifndef CS_SOURCE_ROOT
#error CS_SOURCE_ROOT must name the source tree
#endif

typedef struct {
    CsCpuMap *builtin;
    CsCpuMap *loaded;
    CsCpuidData *data;
    CsCpuDef *host;
    CsCpuDef *guests[4];
    CsCpuDef *hosts[3];
    char *fleet;            /* tests/data/baseline/fleet.xml */
    gsize fleet_len;
    char *dump;             /* a <cpudata> dump with a non-ASCII comment */
    gsize dump_len;
    char *guest_xml;        /* a <cpu> only libxml2's path reads */
    gsize guest_xml_len;
} Shared;

#define N_TASKS 10

static Shared shared;
/* pthread's own (GLib's GMutex is futex-based: ThreadSanitizer does not
 * see it synchronise) */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static guint phase;         /* 0: wait, 1: first use, 2: all tasks */
static guint first_done;    /* threads through phase 1 */

static char *
path_of(const char *rel)
{
    return g_build_filename(CS_SOURCE_ROOT, "tests", rel, NULL);
}

static char *
read_file(const char *rel, gsize *len)
{
    g_autofree char *path = path_of(rel);
    g_autoptr(GError) error = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, len, &error))
        g_error("%s", error->message);
    return text;
}

/* A result as text: the output, or the error's message. */
static char *
def_text(CsCpuDef *def, GError *error)
{
    char *text;

    if (!def) {
        text = g_strdup_printf("error: %s", error ? error->message : "?");
        g_clear_error(&error);
        return text;
    }
    text = cs_cpu_def_format_xml(def, 0);
    cs_cpu_def_free(def);
    return text;
}

static char *
data_text(CsCpuidData *data, GError *error)
{
    char *text;

    if (!data) {
        text = g_strdup_printf("error: %s", error ? error->message : "?");
        g_clear_error(&error);
        return text;
    }
    text = cs_cpuid_data_format_xml(data);
    cs_cpuid_data_free(data);
    return text;
}

/* Task @task with variant @k (which guest, which map). */
static char *
run_task(guint task, guint k)
{
    const CsCpuMap *map = k % 2 ? shared.loaded : shared.builtin;
    const CsCpuDef *guest = shared.guests[k % G_N_ELEMENTS(shared.guests)];
    GError *error = NULL;

    switch (task) {
    case 0:     /* decode, host and guest, with either map */
        return def_text(cs_cpu_decode(map, shared.data,
                                      k / 2 ? CS_DECODE_GUEST : CS_DECODE_HOST, &error),
                        error);
    case 1: {   /* compare */
        g_autoptr(CsCompareReport) report = NULL;

        if (!cs_cpu_compare(shared.builtin, shared.host, guest, CS_COMPARE_DEFAULT,
                            &report, &error))
            return def_text(NULL, error);
        return g_strdup_printf("%s: %s",
                               cs_compare_result_to_string(
                                   cs_compare_report_get_result(report)),
                               cs_compare_report_get_message(report));
    }
    case 2: {   /* encode */
        CsCpuidData *sets[CS_ENCODE_LAST] = { NULL };
        GString *out = g_string_new(NULL);

        if (!cs_cpu_encode(shared.builtin, guest, sets, &error)) {
            g_string_free(out, TRUE);
            return def_text(NULL, error);
        }
        for (guint i = 0; i < CS_ENCODE_LAST; i++) {
            g_autofree char *text = data_text(sets[i], NULL);

            g_string_append(out, text);
        }
        return g_string_free(out, FALSE);
    }
    case 3: {   /* update: a copy, the shared guest stays as it is */
        CsCpuDef *copy = cs_cpu_def_copy(guest);

        if (!cs_cpu_update(shared.builtin, copy, shared.host, CS_UPDATE_DEFAULT, &error)) {
            cs_cpu_def_free(copy);
            return def_text(NULL, error);
        }
        return def_text(copy, NULL);
    }
    case 4: {   /* guest data */
        CsCpuDef *def = NULL;
        CsCpuidData *data = NULL;
        g_autofree char *def_part = NULL;
        g_autofree char *data_part = NULL;

        if (!cs_cpu_guest_data(shared.builtin, shared.host, guest, &def, &data, &error))
            return def_text(NULL, error);
        def_part = def_text(def, NULL);
        data_part = data_text(data, NULL);
        return g_strconcat(def_part, data_part, NULL);
    }
    case 5:     /* baseline of shared hosts */
        return def_text(cs_cpu_baseline(shared.builtin,
                                        (const CsCpuDef *const *) shared.hosts,
                                        G_N_ELEMENTS(shared.hosts),
                                        k % 2 ? CS_BASELINE_EXPAND : CS_BASELINE_DEFAULT,
                                        &error),
                        error);
    case 6: {   /* the streaming reader and the fleet planner */
        g_autoptr(CsCpuStream) s = cs_cpu_stream_new_from_memory(shared.builtin,
                                                                 shared.fleet,
                                                                 shared.fleet_len,
                                                                 "fleet.xml", &error);
        g_autoptr(CsBaselineBuilder) b = NULL;
        g_autoptr(CsFleetPlan) plan = NULL;

        if (!s)
            return def_text(NULL, error);
        b = cs_baseline_builder_new(shared.builtin, CS_BASELINE_DEFAULT,
                                    CS_BASELINE_BUILD_PLAN);
        if (!cs_baseline_builder_add_stream(b, s, "fleet.xml", NULL, NULL, &error) ||
            !(plan = cs_baseline_builder_plan(b, &error)))
            return def_text(NULL, error);
        {
            g_autofree char *xml = cs_cpu_def_format_xml(cs_fleet_plan_get_baseline(plan),
                                                         0);

            return g_strdup_printf("%" G_GUINT64_FORMAT " hosts\n%s",
                                   cs_fleet_plan_get_n_hosts(plan), xml);
        }
    }
    case 7:     /* libxml2's path of the <cpudata> reader */
        return data_text(cs_cpuid_data_parse_xml(shared.dump, shared.dump_len, "dump",
                                                 &error),
                         error);
    case 8:     /* libxml2's path of the <cpu> reader, then decode with a map */
        return def_text(cs_cpu_def_parse_xml(shared.guest_xml, shared.guest_xml_len,
                                             "guest", CS_PARSE_AUTO, &error),
                        error);
    case 9: {   /* load a cpu_map directory (libxml2 trees) and decode with it */
        g_autofree char *dir = path_of("data/cpu-map-groups");
        g_autoptr(CsCpuMap) m = cs_cpu_map_load_dir(dir, &error);

        if (!m)
            return def_text(NULL, error);
        return def_text(cs_cpu_decode(m, shared.data, CS_DECODE_GUEST, &error), error);
    }
    default:
        g_assert_not_reached();
    }
}

#define N_VARIANTS 4

typedef struct {
    guint id;
    guint rounds;
    char *results[N_TASKS][N_VARIANTS];     /* the last of each */
    guint mismatches;
} Worker;

static char *reference[N_TASKS][N_VARIANTS];

static void
wait_phase(guint n)
{
    pthread_mutex_lock(&lock);
    while (phase < n)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
}

static void
set_phase(guint n)
{
    pthread_mutex_lock(&lock);
    phase = n;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
}

static gpointer
worker_main(gpointer p)
{
    Worker *w = p;

    /* phase 1, all threads at once: the first uses of libxml2 (the
     * library initialises it then) */
    wait_phase(1);
    for (guint task = 7; task < N_TASKS; task++)
        w->results[task][w->id % N_VARIANTS] = run_task(task, w->id % N_VARIANTS);
    pthread_mutex_lock(&lock);
    first_done++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    /* phase 2: every task on the shared objects */
    wait_phase(2);
    for (guint r = 0; r < w->rounds; r++) {
        for (guint i = 0; i < N_TASKS * N_VARIANTS; i++) {
            /* each thread its own order */
            guint slot = (i * 7 + w->id * 13 + r) % (N_TASKS * N_VARIANTS);
            guint task = slot / N_VARIANTS, k = slot % N_VARIANTS;
            char *text = run_task(task, k);

            if (w->results[task][k] && strcmp(w->results[task][k], text) != 0)
                w->mismatches++;    /* a thread disagrees with itself */
            g_free(w->results[task][k]);
            w->results[task][k] = text;
        }
    }
    return NULL;
}

/* Shared objects made before the threads start, from inputs the fast
 * readers take (no libxml2 yet). */
static void
setup(void)
{
    static const char *const guests[] = { "guest-min", "guest-exact-forbid",
                                          "guest-host-model", "guest-strict" };
    static const char *const hosts[] = {
        "<cpu><arch>x86_64</arch><model>Haswell-noTSX</model><vendor>Intel</vendor>"
        "<feature name='vmx'/></cpu>",
        "<cpu><arch>x86_64</arch><model>Skylake-Client</model><vendor>Intel</vendor>"
        "<feature name='invtsc'/></cpu>",
        "<cpu><arch>x86_64</arch><model>SandyBridge</model><vendor>Intel</vendor></cpu>",
    };
    g_autofree char *host_path = path_of("data/cpu-def/host-penryn.xml");
    g_autofree char *raw = NULL;
    g_autoptr(GError) error = NULL;
    gsize raw_len = 0;
    const char *end;

    shared.builtin = cs_cpu_map_new_builtin();
    raw = read_file("data/cpuid/sandybridge-i7-2600.xml", &raw_len);
    if (!(shared.data = cs_cpuid_data_parse_xml(raw, raw_len, "dump", &error)))
        g_error("%s", error->message);
    shared.fleet = read_file("data/baseline/fleet.xml", &shared.fleet_len);
    if (!(shared.host = cs_cpu_def_load_file(host_path, CS_PARSE_AUTO, &error)))
        g_error("%s", error->message);
    for (guint i = 0; i < G_N_ELEMENTS(guests); i++) {
        g_autofree char *file = g_strdup_printf("data/cpu-def/%s.xml", guests[i]);
        g_autofree char *path = path_of(file);

        if (!(shared.guests[i] = cs_cpu_def_load_file(path, CS_PARSE_AUTO, &error)))
            g_error("%s", error->message);
    }
    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
        if (!(shared.hosts[i] = cs_cpu_def_parse_xml(hosts[i], strlen(hosts[i]), "host",
                                                     CS_PARSE_AUTO, &error)))
            g_error("%s", error->message);
    }
    /* the same dump with a non-ASCII comment: libxml2's path reads it */
    end = strstr(raw, "</cpudata>");
    g_assert(end);
    shared.dump = g_strdup_printf("%.*s<!-- \xc3\xa9 -->\n%s", (int) (end - raw), raw, end);
    shared.dump_len = strlen(shared.dump);
    shared.guest_xml = g_strdup("<?xml version='1.0' encoding='UTF-8'?>\n"
                                "<!-- caf\xc3\xa9 -->\n<domain><cpu match='exact'>\r\n"
                                "  <model fallback='forbid'>Penryn</model>\r\n"
                                "  <feature policy='disable' name='sse4.1'/>\r\n"
                                "</cpu></domain>\n");
    shared.guest_xml_len = strlen(shared.guest_xml);
}

int
main(int argc, char **argv)
{
    guint n_threads = argc > 1 ? (guint) atoi(argv[1]) : 8;
    guint rounds = argc > 2 ? (guint) atoi(argv[2]) : 100;
    g_autofree GThread **threads = NULL;
    g_autofree Worker *workers = NULL;
    g_autofree char *dir = path_of("data/cpu-map-groups");
    g_autoptr(GError) error = NULL;
    guint mismatches = 0, checked = 0;

    if (n_threads == 0 || rounds == 0) {
        fprintf(stderr, "usage: %s [THREADS [ROUNDS]]\n", argv[0]);
        return 2;
    }
    setup();
    threads = g_new0(GThread *, n_threads);
    workers = g_new0(Worker, n_threads);
    for (guint t = 0; t < n_threads; t++) {
        workers[t] = (Worker) { .id = t, .rounds = rounds };
        threads[t] = g_thread_new("worker", worker_main, &workers[t]);
    }
    set_phase(1);
    pthread_mutex_lock(&lock);
    while (first_done < n_threads)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    /* a map loaded from a directory, shared as well from now on */
    if (!(shared.loaded = cs_cpu_map_load_dir(dir, &error)))
        g_error("%s", error->message);
    set_phase(2);
    for (guint t = 0; t < n_threads; t++)
        g_thread_join(threads[t]);

    /* one thread alone */
    for (guint task = 0; task < N_TASKS; task++) {
        for (guint k = 0; k < N_VARIANTS; k++)
            reference[task][k] = run_task(task, k);
    }
    for (guint t = 0; t < n_threads; t++) {
        mismatches += workers[t].mismatches;
        for (guint task = 0; task < N_TASKS; task++) {
            for (guint k = 0; k < N_VARIANTS; k++) {
                checked++;
                if (strcmp(workers[t].results[task][k], reference[task][k]) != 0) {
                    mismatches++;
                    fprintf(stderr, "thread %u, task %u/%u differs:\n%s\n--- alone:\n%s\n",
                            t, task, k, workers[t].results[task][k], reference[task][k]);
                }
                g_free(workers[t].results[task][k]);
            }
        }
    }
    printf("1..1\n%s 1 - %u threads x %u rounds x %u tasks, %u results checked against "
           "one thread, %u differ\n", mismatches ? "not ok" : "ok", n_threads, rounds,
           N_TASKS * N_VARIANTS, checked, mismatches);

    for (guint task = 0; task < N_TASKS; task++) {
        for (guint k = 0; k < N_VARIANTS; k++)
            g_free(reference[task][k]);
    }
    cs_cpu_map_unref(shared.builtin);
    cs_cpu_map_unref(shared.loaded);
    cs_cpuid_data_free(shared.data);
    cs_cpu_def_free(shared.host);
    for (guint i = 0; i < G_N_ELEMENTS(shared.guests); i++)
        cs_cpu_def_free(shared.guests[i]);
    for (guint i = 0; i < G_N_ELEMENTS(shared.hosts); i++)
        cs_cpu_def_free(shared.hosts[i]);
    g_free(shared.fleet);
    g_free(shared.dump);
    g_free(shared.guest_xml);
    return mismatches ? 1 : 0;
}
