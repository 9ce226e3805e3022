/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: CsCpuidData internals (never installed) */
#pragma once

#include <libcpusel/cs-cpuid.h>

struct _CsCpuidData {
    GArray *leaves;     /* CsCpuidLeaf, sorted by (eax_in, ecx_in) */
    GArray *msrs;       /* CsMsr, sorted by index */
};

/* Bulk loading for parsers: append in any order, then sort and merge once
 * (duplicate keys OR their bits, as cs_cpuid_data_add_leaf() does). Keeps
 * hostile inputs with many unordered entries O(n log n). */
void cs_cpuid_data_append_unsorted_leaf(CsCpuidData *data, const CsCpuidLeaf *leaf);
void cs_cpuid_data_append_unsorted_msr(CsCpuidData *data, const CsMsr *msr);
void cs_cpuid_data_sort_merge(CsCpuidData *data);

/* Zeroes the fields of @leaf that identify the logical CPU it was read on
 * (APIC IDs: leaf 1 EBX[31:24], 0xb/0x1f/0x80000026 EDX, and 0x8000001e's
 * extended APIC, core and node IDs), as if it was read on CPU #0, the
 * convention of libvirt's test data, so that data read on any CPU is the
 * same. */
void cs_cpuid_leaf_mask_apic_ids(CsCpuidLeaf *leaf);
