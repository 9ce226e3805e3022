/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86-64 psABI micro-architecture levels of a CPU: a table
 * of the features each level adds, looked up in the map */
#include <libcpusel/cs-ops.h>
#include "core/psabi-private.h"

/* The x86-64 psABI micro-architecture levels and the (libvirt) features each
 * adds; a level needs all lower ones. */
const char *const cs_psabi_names[] = {
    "none", "x86-64-v1", "x86-64-v2", "x86-64-v3", "x86-64-v4",
};
static const char *const psabi_features[4][12] = {
    { "lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2" },
    { "cx16", "lahf_lm", "popcnt", "pni", "sse4.1", "sse4.2", "ssse3" },
    { "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave" },
    { "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl" },
};

void
cs_psabi_table_init(const CsCpuMap *map, CsPsabiTable *t)
{
    for (guint l = 0; l < 4; l++) {
        for (guint f = 0; f < 12; f++) {
            t->feat[l][f] = psabi_features[l][f] ?
                            cs_cpu_map_lookup_feature(map, psabi_features[l][f]) : -2;
        }
    }
}

guint
cs_psabi_level_of_vec(const CsCpuMap *map, const CsPsabiTable *t, const CsWord *vec)
{
    for (guint l = 0; l < 4; l++) {
        for (guint f = 0; f < 12 && t->feat[l][f] != -2; f++) {
            if (t->feat[l][f] < 0 ||
                !cs_vec_has_feature(vec, &map->t.features[t->feat[l][f]]))
                return l;
        }
    }
    return 4;
}

const char *
cs_cpu_def_psabi_level(const CsCpuMap *map, const CsCpuDef *def, GError **error)
{
    CsPsabiTable t;
    g_autofree CsWord *vec = NULL;

    g_return_val_if_fail(map != NULL && def != NULL, NULL);
    if (!(vec = cs_cpu_def_to_vec(map, def, CS_VEC_ALL, error)))
        return NULL;
    cs_psabi_table_init(map, &t);
    return cs_psabi_names[cs_psabi_level_of_vec(map, &t, vec)];
}
