/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver's baseline (libvirt's virCPUx86Baseline), one
 * CPU at a time: its loop over the CPUs kept as state (CsVecBaseline, what
 * the fleet planner works on too), and the intersection decoded as a guest
 * CPU preferring the CPUs' own models */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "drivers/x86-private.h"
#include "core/decode-options-private.h"

static CsVecBaseline *
acc_new(const CsCpuMap *map)
{
    CsVecBaseline *a = g_new0(CsVecBaseline, 1);

    a->vec = cs_vec_new(map);
    a->vendor = -1;
    a->output_vendor = TRUE;
    a->names = g_ptr_array_new_with_free_func(g_free);
    a->name_counts = g_array_new(FALSE, TRUE, sizeof(guint64));
    return a;
}

static void
acc_free(CsVecBaseline *a)
{
    if (!a)
        return;
    g_free(a->vec);
    g_ptr_array_unref(a->names);
    g_array_unref(a->name_counts);
    g_free(a);
}

static void
acc_add_name(CsVecBaseline *a, const char *name, guint64 count)
{
    for (guint i = 0; i < a->names->len; i++) {
        if (strcmp(g_ptr_array_index(a->names, i), name) == 0) {
            g_array_index(a->name_counts, guint64, i) += count;
            return;
        }
    }
    g_ptr_array_add(a->names, g_strdup(name));
    g_array_append_val(a->name_counts, count);
}

/* One CPU through libvirt's loop body. @vec is the CPU's data (model +
 * features); @model_vendor the vendor of its model (-1: none). Returns FALSE
 * with @error on libvirt's vendor errors. */
static gboolean
acc_add(const CsCpuMap *map, CsVecBaseline *a, const CsCpuDef *def, const CsWord *vec,
        int model_vendor, GError **error)
{
    if (a->n == 0) {
        if (!def->vendor) {
            a->output_vendor = FALSE;
        } else if ((a->vendor = cs_cpu_map_lookup_vendor(map, def->vendor)) < 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                        "Unknown CPU vendor %s", def->vendor);
            return FALSE;
        }
        memcpy(a->vec, vec, sizeof(CsWord) * map->t.n_words);
    } else {
        const char *vn = NULL;

        if (def->vendor && model_vendor >= 0 &&
            strcmp(def->vendor, map->t.vendors[model_vendor].name) != 0) {
            g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                        "CPU vendor %s of model %s differs from vendor %s",
                        map->t.vendors[model_vendor].name, def->model, def->vendor);
            return FALSE;
        }
        if (def->vendor) {
            vn = def->vendor;
        } else {
            a->output_vendor = FALSE;
            if (model_vendor >= 0)
                vn = map->t.vendors[model_vendor].name;
        }
        if (vn) {
            if (a->vendor < 0) {
                if ((a->vendor = cs_cpu_map_lookup_vendor(map, vn)) < 0) {
                    g_set_error(error, CS_ERROR, CS_ERROR_UNKNOWN_VENDOR,
                                "Unknown CPU vendor %s", vn);
                    return FALSE;
                }
            } else if (strcmp(map->t.vendors[a->vendor].name, vn) != 0) {
                g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                            "CPU vendors do not match");
                return FALSE;
            }
        }
        for (guint w = 0; w < map->t.n_words; w++)
            a->vec[w] &= vec[w];
    }
    acc_add_name(a, def->model, 1);
    a->n++;
    return TRUE;
}

/* Folds @from (hosts with no vendor at all) into @into; the result is what
 * one pass over both groups' hosts gives. */
static void
acc_merge(const CsCpuMap *map, CsVecBaseline *into, const CsVecBaseline *from)
{
    for (guint w = 0; w < map->t.n_words; w++)
        into->vec[w] &= from->vec[w];
    if (!from->output_vendor)
        into->output_vendor = FALSE;
    for (guint i = 0; i < from->names->len; i++)
        acc_add_name(into, g_ptr_array_index(from->names, i),
                     g_array_index(from->name_counts, guint64, i));
    into->n += from->n;
}

/* Decodes an intersection as libvirt's baseline does. @names: the distinct
 * model names of the CPUs. */
static CsCpuDef *
decode_intersection(const CsCpuMap *map, const CsWord *vec, int vendor,
                    gboolean output_vendor, const char *const *names,
                    const char *const *allowed, CsBaselineFlags flags, GError **error)
{
    g_autoptr(CsCpuidData) data = NULL;
    g_autoptr(CsCpuDef) def = NULL;
    CsDecodeOptions opts = CS_DECODE_OPTIONS_INIT(CS_DECODE_GUEST);

    if (cs_vec_is_empty(map, vec)) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE, "CPUs are incompatible");
        return NULL;
    }
    data = cs_cpu_map_vec_to_data(map, vec);
    if (vendor >= 0) {
        const CsMapVendor *v = &map->t.vendors[vendor];
        CsCpuidLeaf l0 = { .eax_in = 0, .ebx = v->ebx, .ecx = v->ecx, .edx = v->edx };

        cs_cpuid_data_add_leaf(data, &l0);
    }
    if (flags & CS_BASELINE_MIGRATABLE)
        opts.flags |= CS_DECODE_MIGRATABLE;
    opts.allowed = allowed;
    opts.preferred = names;
    opts.fallback = CS_CPU_FALLBACK_ALLOW;
    if (!(def = cs_x86_decode(map, data, &opts, error)))
        return NULL;
    def->mode = CS_CPU_MODE_CUSTOM;
    def->match = CS_CPU_MATCH_EXACT;
    def->fallback = CS_CPU_FALLBACK_ALLOW;
    def->sig_family = def->sig_model = def->sig_stepping = 0;
    if (names[0] && !names[1] && strcmp(def->model, names[0]) == 0)
        def->fallback = CS_CPU_FALLBACK_FORBID;
    if (!output_vendor)
        g_clear_pointer(&def->vendor, g_free);
    if ((flags & CS_BASELINE_EXPAND) && !cs_x86_expand(map, def, error))
        return NULL;
    return g_steal_pointer(&def);
}

/* The baseline of @vec with @a's vendor; @names NULL: @a's own. */
static CsCpuDef *
acc_decode(const CsCpuMap *map, const CsVecBaseline *a, const CsWord *vec,
           const char *const *names, const char *const *allowed, CsBaselineFlags flags,
           GError **error)
{
    g_autofree const char **own = NULL;

    if (!names) {
        own = g_new0(const char *, a->names->len + 1);
        for (guint i = 0; i < a->names->len; i++)
            own[i] = g_ptr_array_index(a->names, i);
        names = own;
    }
    return decode_intersection(map, vec, a->vendor, a->output_vendor, names, allowed,
                               flags, error);
}

const CsVecBaselineOps cs_x86_vec_baseline = {
    .new = acc_new,
    .free = acc_free,
    .add = acc_add,
    .merge = acc_merge,
    .decode = acc_decode,
};

/* ---- libvirt's baseline: all CPUs must join -------------------------------- */

struct _CsBaselineAcc {
    const CsCpuMap *map;
    CsVecBaseline *acc;
    guint64 n;              /* CPUs added */
    gint64 no_model;        /* first CPU without a model, -1 none */
    GError *error;          /* libvirt's first error in its CPU loop */
};

CsBaselineAcc *
cs_x86_baseline_new(const CsCpuMap *map)
{
    CsBaselineAcc *x = g_new0(CsBaselineAcc, 1);

    x->map = map;
    x->acc = acc_new(map);
    x->no_model = -1;
    return x;
}

void
cs_x86_baseline_free(CsBaselineAcc *x)
{
    if (!x)
        return;
    acc_free(x->acc);
    g_clear_error(&x->error);
    g_free(x);
}

void
cs_x86_baseline_add(CsBaselineAcc *x, const CsCpuDef *host, const CsWord *known)
{
    const CsCpuMap *map = x->map;
    g_autofree CsWord *vec = NULL;
    int mi;

    if (!host->model) {
        if (x->no_model < 0)
            x->no_model = x->n;
    } else if (!x->error &&
               (known || (known = vec = cs_cpu_def_to_vec(map, host, CS_VEC_ALL,
                                                          &x->error)))) {
        mi = cs_cpu_map_lookup_model(map, host->model);
        acc_add(map, x->acc, host, known, map->t.models[mi].vendor, &x->error);
    }
    x->n++;
}

CsCpuDef *
cs_x86_baseline_finish(CsBaselineAcc *x, const char *const *allowed,
                       CsBaselineFlags flags, GError **error)
{
    if (x->no_model >= 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                    "no CPU model specified at index %" G_GINT64_FORMAT, x->no_model);
        return NULL;
    }
    if (x->error) {
        g_propagate_error(error, g_error_copy(x->error));
        return NULL;
    }
    return acc_decode(x->map, x->acc, x->acc->vec, NULL, allowed, flags, error);
}
