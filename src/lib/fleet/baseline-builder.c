/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the baseline of many host CPUs, kept incremental so that a
 * fleet of any size streams through it. In exact mode (libvirt's baseline)
 * each host goes to the driver of its arch; in plan mode every host is a
 * CPUID bit vector, grouped by arch and vendor, and recorded for the
 * planner (planner.c). */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "fleet/fleet-private.h"
#include "fleet/cpu-stream-private.h"

static guint
host_class_hash(gconstpointer p)
{
    return ((const CsHostClass *) p)->hash;
}

static gboolean
host_class_equal(gconstpointer pa, gconstpointer pb)
{
    const CsHostClass *a = pa;
    const CsHostClass *b = pb;

    return a->hash == b->hash && a->n_words == b->n_words &&
           memcmp(a->vec, b->vec, sizeof(CsWord) * a->n_words) == 0;
}

static CsFleetGroup *
group_new(CsBaselineBuilder *b, const char *arch, int key_vendor)
{
    CsFleetGroup *g = g_new0(CsFleetGroup, 1);

    g->arch = g_strdup(arch);
    g->key_vendor = key_vendor;
    g->acc = b->vec->new(b->map);
    return g;
}

static void
group_free(CsBaselineBuilder *b, CsFleetGroup *g)
{
    g_free(g->arch);
    b->vec->free(g->acc);
    g_free(g);
}

CsBaselineBuilder *
cs_baseline_builder_new(const CsCpuMap *map, CsBaselineFlags flags,
                        CsBaselineBuildFlags build_flags)
{
    CsBaselineBuilder *b;

    g_return_val_if_fail(map != NULL, NULL);
    b = g_new0(CsBaselineBuilder, 1);
    b->map = map;
    b->flags = flags;
    b->plan = (build_flags & CS_BASELINE_BUILD_PLAN) != 0;
    if (b->plan) {
        b->vec = cs_arch_driver_cpuid()->vec_baseline;
        cs_psabi_table_init(map, &b->psabi);
        b->groups = g_ptr_array_new();
        b->hosts = g_array_new(FALSE, TRUE, sizeof(CsFleetHost));
        b->strings = g_string_chunk_new(4096);
        b->classes = g_ptr_array_new_with_free_func(g_free);
        b->class_ids = g_hash_table_new(host_class_hash, host_class_equal);
        b->probe = g_malloc0(sizeof(CsHostClass) + sizeof(CsWord) * map->t.n_words);
        b->probe->n_words = map->t.n_words;
    }
    return b;
}

void
cs_baseline_builder_free(CsBaselineBuilder *b)
{
    if (!b)
        return;
    if (b->acc)
        b->driver->baseline_free(b->acc);
    g_strfreev(b->allowed);
    g_clear_error(&b->parse_error);
    for (guint g = 0; b->groups && g < b->groups->len; g++)
        group_free(b, g_ptr_array_index(b->groups, g));
    if (b->groups)
        g_ptr_array_unref(b->groups);
    if (b->hosts)
        g_array_unref(b->hosts);
    if (b->strings)
        g_string_chunk_free(b->strings);
    if (b->class_ids)
        g_hash_table_unref(b->class_ids);
    if (b->classes)
        g_ptr_array_unref(b->classes);
    g_free(b->probe);
    g_free(b);
}

void
cs_baseline_builder_set_models(CsBaselineBuilder *b, const char *const *allowed)
{
    g_return_if_fail(b != NULL);
    g_strfreev(b->allowed);
    b->allowed = g_strdupv((char **) allowed);
}

guint64
cs_baseline_builder_get_n_hosts(const CsBaselineBuilder *b)
{
    return b->n;
}

/* libvirt's baseline: the driver of the host's arch takes it. */
static void
add_exact(CsBaselineBuilder *b, const CsCpuDef *host, const CsWord *known)
{
    const CsArchDriver *drv = cs_arch_driver_lookup(host->arch);

    if (b->parse_error || b->mixed)
        return;     /* the baseline fails whatever comes next */
    /* a CPU of an arch without a driver has always been baselined as the
     * map's (x86) CPUs are; kept so */
    if (!drv || !drv->baseline_new)
        drv = cs_arch_driver_cpuid();
    if (!b->acc) {
        b->driver = drv;
        b->acc = drv->baseline_new(b->map);
    } else if (drv != b->driver) {
        b->mixed = TRUE;
        return;
    }
    drv->baseline_add(b->acc, host, known);
}

/* The id of @vec's class, made when it is new. */
static guint32
intern_class(CsBaselineBuilder *b, const CsWord *vec)
{
    guint n = b->map->t.n_words;
    guint32 h = 2166136261u;
    gpointer id;
    CsHostClass *c;

    for (guint w = 0; w < n; w++)
        h = (h ^ vec[w]) * 16777619u;
    b->probe->hash = h;
    memcpy(b->probe->vec, vec, sizeof(CsWord) * n);
    if ((id = g_hash_table_lookup(b->class_ids, b->probe)))
        return GPOINTER_TO_UINT(id) - 1;
    c = g_memdup2(b->probe, sizeof(CsHostClass) + sizeof(CsWord) * n);
    g_ptr_array_add(b->classes, c);
    g_hash_table_insert(b->class_ids, c, GUINT_TO_POINTER(b->classes->len));
    return b->classes->len - 1;
}

static CsFleetHost *
new_host(CsBaselineBuilder *b, const char *name, const char *uuid)
{
    CsFleetHost rec = { .model = -1, .vendor = -1, .level = 0xff, .cls = G_MAXUINT32 };

    if (name) {
        rec.name = g_string_chunk_insert(b->strings, name);
    } else {
        char buf[32];

        g_snprintf(buf, sizeof(buf), "#%" G_GUINT64_FORMAT, b->n + 1);
        rec.name = g_string_chunk_insert(b->strings, buf);
    }
    if (uuid)
        rec.uuid = g_string_chunk_insert_const(b->strings, uuid);
    g_array_append_val(b->hosts, rec);
    return &g_array_index(b->hosts, CsFleetHost, b->hosts->len - 1);
}

static void
host_invalid(CsBaselineBuilder *b, CsFleetHost *rec, const char *reason)
{
    rec->status = CS_HOST_INVALID;
    rec->reason = g_string_chunk_insert_const(b->strings, reason);
}

static void
add_plan(CsBaselineBuilder *b, const CsCpuDef *host, const char *name, const char *uuid,
         const CsWord *known)
{
    const CsCpuMap *map = b->map;
    CsFleetHost *rec = new_host(b, name, uuid);
    g_autofree CsWord *vec = NULL;
    g_autoptr(GError) error = NULL;
    const char *arch = host->arch ? host->arch : "x86_64";
    int mi, mv, ev = -1;
    CsFleetGroup *group = NULL;

    if (!host->model) {
        host_invalid(b, rec, "no CPU model specified");
        return;
    }
    if (!known && !(known = vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL, &error))) {
        host_invalid(b, rec, error->message);
        return;
    }
    mi = cs_cpu_map_lookup_model(map, host->model);
    mv = map->t.models[mi].vendor;
    rec->model = mi;
    if (host->vendor) {
        if ((ev = cs_cpu_map_lookup_vendor(map, host->vendor)) < 0) {
            g_autofree char *msg = g_strdup_printf("unknown CPU vendor '%s'",
                                                   host->vendor);

            host_invalid(b, rec, msg);
            return;
        }
        if (mv >= 0 && mv != ev && b->n > 0) {
            g_autofree char *msg = g_strdup_printf("CPU vendor %s of model %s differs "
                                                   "from vendor %s",
                                                   map->t.vendors[mv].name,
                                                   host->model, host->vendor);

            host_invalid(b, rec, msg);
            return;
        }
    } else {
        ev = mv;
    }
    rec->vendor = ev;
    rec->level = cs_psabi_level_of_vec(map, &b->psabi, known);
    for (guint g = 0; g < b->groups->len; g++) {
        CsFleetGroup *a = g_ptr_array_index(b->groups, g);

        if (a->key_vendor == ev && strcmp(a->arch, arch) == 0) {
            group = a;
            rec->group = g;
            break;
        }
    }
    if (!group) {
        if (b->groups->len >= G_MAXUINT16) {
            host_invalid(b, rec, "too many distinct arch and vendor combinations");
            return;
        }
        group = group_new(b, arch, ev);
        rec->group = b->groups->len;
        g_ptr_array_add(b->groups, group);
    }
    if (!b->vec->add(map, group->acc, host, known, mv, &error)) {
        host_invalid(b, rec, error->message);
    } else {
        rec->status = CS_HOST_JOINED;
        rec->cls = intern_class(b, known);
    }
}

static void
builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name,
            const char *uuid, const CsWord *known)
{
    if (b->plan)
        add_plan(b, host, name, uuid, known);
    else
        add_exact(b, host, known);
    b->n++;
}

void
cs_baseline_builder_add(CsBaselineBuilder *b, const CsCpuDef *host, const char *name)
{
    g_return_if_fail(b != NULL && host != NULL);
    builder_add(b, host, name, NULL, NULL);
}

/* The vector of a CPU the stream will keep (NULL when it has no valid one). */
static const CsWord *
cached_vec(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host)
{
    CsWord *vec;

    if (g_hash_table_lookup_extended(vecs, host, NULL, (gpointer *) &vec))
        return vec;
    vec = host->model ? cs_cpu_def_to_vec(b->map, host, CS_VEC_ALL, NULL) : NULL;
    g_hash_table_insert(vecs, (gpointer) host, vec);
    return vec;
}

/* Names the @k-th host of a stream: the stream's name when it is @alone,
 * else its <host><uuid> when the document has one, else "name#k". */
static void
add_stream_host(CsBaselineBuilder *b, GHashTable *vecs, const CsCpuDef *host,
                gboolean stable, const char *name, const char *uuid, guint64 k,
                gboolean alone)
{
    g_autofree char *label = NULL;
    const CsWord *vec = stable ? cached_vec(b, vecs, host) : NULL;

    if (b->plan && alone)
        label = g_strdup(name);
    else if (b->plan)
        label = uuid ? g_strdup(uuid) : g_strdup_printf("%s#%" G_GUINT64_FORMAT, name, k);
    builder_add(b, host, label, uuid, vec);
}

gboolean
cs_baseline_builder_add_stream(CsBaselineBuilder *b, CsCpuStream *stream, const char *name,
                               CsProgressFunc progress, gpointer user_data, GError **error)
{
    g_autoptr(GHashTable) vecs = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    g_autoptr(CsCpuDef) first = NULL;   /* named once we know if it is alone */
    g_autofree char *first_uuid = NULL;
    gboolean first_stable = FALSE;
    const CsCpuDef *first_ref = NULL;
    guint64 k = 0;

    g_return_val_if_fail(b != NULL && stream != NULL, FALSE);
    if (!name)
        name = "(input)";
    for (;;) {
        const CsCpuDef *host = NULL;
        gboolean stable = FALSE;
        GError *local = NULL;

        if (!cs_cpu_stream_next_borrowed(stream, &host, &stable, &local)) {
            if (!b->plan) {
                g_propagate_error(error, local);
                return FALSE;
            }
            if (first_ref) {
                add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1,
                                FALSE);
                first_ref = NULL;
            }
            k++;
            {
                g_autofree char *label = g_strdup_printf("%s#%" G_GUINT64_FORMAT, name, k);

                cs_baseline_builder_add_error(b, label, local);
            }
            continue;
        }
        if (!host)
            break;
        k++;
        if (k == 1) {
            /* keep it until the next one says whether it is alone */
            first_stable = stable;
            if (!stable)
                host = first = cs_cpu_def_copy(host);
            first_ref = host;
            first_uuid = g_strdup(cs_cpu_stream_get_host_uuid(stream));
        } else {
            if (first_ref) {
                add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1,
                                FALSE);
                first_ref = NULL;
            }
            add_stream_host(b, vecs, host, stable, name,
                            cs_cpu_stream_get_host_uuid(stream), k, FALSE);
        }
        if (progress && (k & 255) == 0)
            progress(b->n, stream, user_data);
    }
    if (first_ref)
        add_stream_host(b, vecs, first_ref, first_stable, name, first_uuid, 1, TRUE);
    return TRUE;
}

void
cs_baseline_builder_add_error(CsBaselineBuilder *b, const char *name, GError *error)
{
    g_return_if_fail(b != NULL && error != NULL);
    if (b->plan) {
        host_invalid(b, new_host(b, name, NULL), error->message);
        g_error_free(error);
    } else if (!b->parse_error) {
        b->parse_error = error;
    } else {
        g_error_free(error);
    }
    b->n++;
}

CsCpuDef *
cs_baseline_builder_finish(CsBaselineBuilder *b, GError **error)
{
    g_return_val_if_fail(b != NULL, NULL);
    if (b->plan) {
        g_autoptr(CsFleetPlan) plan = cs_baseline_builder_plan(b, error);

        return plan ? cs_cpu_def_copy(cs_fleet_plan_get_baseline(plan)) : NULL;
    }
    if (b->parse_error) {
        g_propagate_error(error, g_error_copy(b->parse_error));
        return NULL;
    }
    if (b->n == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID, "no CPUs given");
        return NULL;
    }
    if (b->mixed) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the CPUs are incompatible: their architectures differ");
        return NULL;
    }
    return b->driver->baseline_finish(b->acc, (const char *const *) b->allowed, b->flags,
                                      error);
}

CsCpuDef *
cs_cpu_baseline(const CsCpuMap *map, const CsCpuDef *const *hosts, gsize n_hosts,
                CsBaselineFlags flags, GError **error)
{
    g_autoptr(CsBaselineBuilder) b = NULL;

    g_return_val_if_fail(map != NULL && (hosts != NULL || n_hosts == 0), NULL);
    b = cs_baseline_builder_new(map, flags, CS_BASELINE_BUILD_EXACT);
    for (gsize i = 0; i < n_hosts; i++) {
        if (!hosts[i]) {
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "invalid CPU definition at index %" G_GSIZE_FORMAT, i);
            return NULL;
        }
        cs_baseline_builder_add(b, hosts[i], NULL);
    }
    return cs_baseline_builder_finish(b, error);
}
