/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the x86 driver: CPUs as CPUID/MSR bit vectors of the map; its
 * table entry (the operations are the x86-*.c files) */
#include "drivers/x86-private.h"

static const char *const x86_archs[] = { "x86_64", "i686", NULL };

const CsArchDriver cs_x86_driver = {
    .name = "x86",
    .archs = x86_archs,
    .decode = cs_x86_decode,
    .compare = cs_x86_compare,
    .update = cs_x86_update,
    .guest_data = cs_x86_guest_data,
    .encode = cs_x86_encode,
    .expand = cs_x86_expand,
    .data_vec = cs_x86_data_vec,
    .model_blockers = cs_x86_model_blocker_indices,
    .baseline_new = cs_x86_baseline_new,
    .baseline_add = cs_x86_baseline_add,
    .baseline_finish = cs_x86_baseline_finish,
    .baseline_free = cs_x86_baseline_free,
    .vec_baseline = &cs_x86_vec_baseline,
};
