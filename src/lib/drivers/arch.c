/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the table of architecture drivers and the public entry points
 * of the operations (libvirt's src/cpu/cpu.c): the driver of the CPU's
 * arch does the work; what every arch shares happens here, before and
 * after it */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "drivers/arch.h"
#include "core/decode-options-private.h"
#include "core/guest-options-private.h"

/* The drivers, one entry each: the file of driver NAME defines
 * cs_NAME_driver. */
#define CS_ARCH_DRIVERS(X) \
    X(x86)                 \
    X(generic)

#define CS_DRIVER_EXTERN(name) extern const CsArchDriver cs_##name##_driver;
CS_ARCH_DRIVERS(CS_DRIVER_EXTERN)
#undef CS_DRIVER_EXTERN

#define CS_DRIVER_ENTRY(name) &cs_##name##_driver,
static const CsArchDriver *const drivers[] = { CS_ARCH_DRIVERS(CS_DRIVER_ENTRY) };
#undef CS_DRIVER_ENTRY

gboolean
cs_arch_driver_handles(const CsArchDriver *driver, const char *arch)
{
    if (!arch)
        arch = CS_ARCH_DEFAULT;
    for (guint i = 0; driver->archs[i]; i++) {
        if (strcmp(arch, driver->archs[i]) == 0)
            return TRUE;
    }
    return FALSE;
}

const CsArchDriver *
cs_arch_driver_lookup(const char *arch)
{
    for (guint d = 0; d < G_N_ELEMENTS(drivers); d++) {
        if (cs_arch_driver_handles(drivers[d], arch))
            return drivers[d];
    }
    return NULL;
}

const CsArchDriver *
cs_arch_driver_cpuid(void)
{
    return &cs_x86_driver;
}

static gboolean
unsupported(const char *arch, GError **error)
{
    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "CPU operations are not supported for arch '%s'", arch);
    return FALSE;
}

/* ---- Decode and usable models: raw CPUID data is x86's ---------------------- */

CsCpuDef *
cs_cpu_decode_with(const CsCpuMap *map, const CsCpuidData *data,
                   const CsDecodeOptions *opts, GError **error)
{
    static const CsDecodeOptions defaults = CS_DECODE_OPTIONS_INIT(CS_DECODE_HOST);

    g_return_val_if_fail(map != NULL && data != NULL, NULL);
    return cs_arch_driver_cpuid()->decode(map, data, opts ? opts : &defaults, error);
}

CsCpuDef *
cs_cpu_decode(const CsCpuMap *map, const CsCpuidData *data, CsDecodeFlags flags,
              GError **error)
{
    CsDecodeOptions opts = CS_DECODE_OPTIONS_INIT(flags);

    return cs_cpu_decode_with(map, data, &opts, error);
}

char **
cs_cpu_model_blockers(const CsCpuMap *map, const CsCpuidData *data, guint model)
{
    const CsArchDriver *drv = cs_arch_driver_cpuid();
    g_autofree CsWord *vec = NULL;
    g_autoptr(GArray) idx = g_array_new(FALSE, FALSE, sizeof(guint16));
    char **names;

    g_return_val_if_fail(map != NULL && data != NULL, NULL);
    g_return_val_if_fail(model < map->t.n_models, NULL);
    vec = cs_vec_new(map);
    drv->data_vec(map, data, vec);
    drv->model_blockers(map, vec, model, idx);
    names = g_new0(char *, idx->len + 1);
    for (guint i = 0; i < idx->len; i++)
        names[i] = g_strdup(map->t.features[g_array_index(idx, guint16, i)].name);
    return names;
}

/* Expansion lists the features of a model of the map, whatever the CPU's
 * arch says: it has always gone to the map's driver (x86) directly, and
 * still does, so that a CPU of another arch keeps getting the same answer
 * (an unknown model) rather than "not supported". */
gboolean
cs_cpu_def_expand_features(const CsCpuMap *map, CsCpuDef *def, GError **error)
{
    g_return_val_if_fail(map != NULL && def != NULL, FALSE);
    return cs_arch_driver_cpuid()->expand(map, def, error);
}

/* ---- Guest CPUs against hosts: the host's arch chooses ---------------------- */

gboolean
cs_cpu_compare(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
               CsCompareFlags flags, CsCompareReport **out_report, GError **error)
{
    const CsArchDriver *drv;
    g_autoptr(CsCompareReport) report = NULL;

    g_return_val_if_fail(map != NULL && host != NULL && guest != NULL, FALSE);
    g_return_val_if_fail(out_report != NULL, FALSE);

    if (!(drv = cs_arch_driver_lookup(host->arch)) || !drv->compare)
        return unsupported(host->arch, error);
    if (!drv->compare(map, host, guest, &report, error))
        return FALSE;
    if (cs_compare_report_get_result(report) == CS_COMPARE_INCOMPATIBLE &&
        (flags & CS_COMPARE_FAIL_INCOMPATIBLE)) {
        g_set_error(error, CS_ERROR, CS_ERROR_INCOMPATIBLE,
                    "the guest CPU is incompatible with the host CPU: %s",
                    cs_compare_report_get_message(report));
        return FALSE;
    }
    *out_report = g_steal_pointer(&report);
    return TRUE;
}

CsCpuDef *
cs_cpu_def_copy_migratable(const CsCpuMap *map, const CsCpuDef *host)
{
    CsCpuDef *copy;

    g_return_val_if_fail(map != NULL && host != NULL, NULL);
    copy = cs_cpu_def_copy(host);
    for (guint i = copy->features->len; i-- > 0;) {
        const char *name = g_array_index(copy->features, CsCpuFeature, i).name;
        int fi = cs_cpu_map_lookup_feature(map, name);

        /* unknown names are kept, as libvirt only drops its known blockers */
        if (fi >= 0 && !map->t.features[fi].migratable)
            cs_cpu_def_remove_feature_at(copy, i);
    }
    return copy;
}

static gboolean
has_optional(const CsCpuDef *def)
{
    for (guint i = 0; i < def->features->len; i++) {
        if (g_array_index(def->features, CsCpuFeature, i).policy == CS_FEATURE_OPTIONAL)
            return TRUE;
    }
    return FALSE;
}

gboolean
cs_cpu_update(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
              CsUpdateFlags flags, GError **error)
{
    return cs_cpu_update_full(map, guest, host, flags, CS_FEATURE_DISABLE, error);
}

gboolean
cs_cpu_update_full(const CsCpuMap *map, CsCpuDef *guest, const CsCpuDef *host,
                   CsUpdateFlags flags, CsFeaturePolicy removed_policy, GError **error)
{
    g_autoptr(CsCpuDef) migratable = NULL;
    const CsArchDriver *drv;
    gboolean relative;

    g_return_val_if_fail(map != NULL && guest != NULL, FALSE);
    g_return_val_if_fail(removed_policy >= CS_FEATURE_FORCE &&
                         removed_policy <= CS_FEATURE_FORBID, FALSE);

    if (!(drv = cs_arch_driver_lookup(host ? host->arch : NULL)) || !drv->update)
        return unsupported(host ? host->arch : CS_ARCH_DEFAULT, error);
    if (guest->mode == CS_CPU_MODE_HOST_PASSTHROUGH || guest->mode == CS_CPU_MODE_MAXIMUM)
        return TRUE;
    /* only host-model, minimum-match and optional features depend on the
     * host; the rest only gets its removed features disabled */
    relative = guest->mode != CS_CPU_MODE_CUSTOM ||
               guest->match == CS_CPU_MATCH_MINIMUM || has_optional(guest);
    if (relative) {
        if (!host) {
            g_set_error(error, CS_ERROR, CS_ERROR_INVALID,
                        "the guest CPU needs a host CPU to be updated against");
            return FALSE;
        }
        if (flags & CS_UPDATE_MIGRATABLE_HOST)
            host = migratable = cs_cpu_def_copy_migratable(map, host);
    }
    return drv->update(map, guest, relative ? host : NULL, removed_policy, error);
}

gboolean
cs_cpu_guest_data_with(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                       const CsGuestOptions *opts, CsCpuDef **out_def,
                       CsCpuidData **out_data, GError **error)
{
    static const CsGuestOptions defaults = CS_GUEST_OPTIONS_INIT(CS_GUEST_DEFAULT);
    const CsArchDriver *drv;

    g_return_val_if_fail(map != NULL && host != NULL && guest != NULL, FALSE);

    if (!(drv = cs_arch_driver_lookup(host->arch)) || !drv->guest_data)
        return unsupported(host->arch ? host->arch : "", error);
    return drv->guest_data(map, host, guest, opts ? opts : &defaults, out_def, out_data,
                           error);
}

gboolean
cs_cpu_guest_data(const CsCpuMap *map, const CsCpuDef *host, const CsCpuDef *guest,
                  CsCpuDef **out_def, CsCpuidData **out_data, GError **error)
{
    return cs_cpu_guest_data_with(map, host, guest, NULL, out_def, out_data, error);
}

/* ---- Encoding: the definition's own arch ---------------------------------- */

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const set_names[] = { CS_ENCODE_SETS(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

const char *
cs_encode_set_to_string(CsEncodeSet v)
{
    return v < G_N_ELEMENTS(set_names) ? set_names[v] : NULL;
}

gboolean
cs_cpu_encode(const CsCpuMap *map, const CsCpuDef *def, CsCpuidData **out_data,
              GError **error)
{
    const CsArchDriver *drv;

    g_return_val_if_fail(map != NULL && def != NULL && out_data != NULL, FALSE);

    if (!def->model) {
        g_set_error(error, CS_ERROR, CS_ERROR_NO_MODEL,
                    "the CPU definition names no model to encode");
        return FALSE;
    }
    if (!(drv = cs_arch_driver_lookup(def->arch)) || !drv->encode)
        return unsupported(def->arch, error);
    return drv->encode(map, def, out_data, error);
}
