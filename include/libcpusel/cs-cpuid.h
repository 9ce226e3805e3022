/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: raw x86 CPU data (CPUID leaves and MSRs) */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

/* One CPUID leaf: the inputs (eax_in, ecx_in) and the four output registers
 * (a plain value, as CsMsr). */
typedef struct {
    guint32 eax_in;
    guint32 ecx_in;
    guint32 eax;
    guint32 ebx;
    guint32 ecx;
    guint32 edx;
} CsCpuidLeaf;

/* One model-specific register, split as RDMSR returns it. */
typedef struct {
    guint32 index;
    guint32 eax;
    guint32 edx;
} CsMsr;

/* Raw CPU data: CPUID leaves keyed by (eax_in, ecx_in) and MSRs keyed by
 * index, both kept sorted. Adding an existing key ORs the bits in.
 * Threads: a const CsCpuidData may be read from many threads at once (the
 * getters, formatting, the set tests, decoding, and as @other of the set
 * operations); adding to it, the in-place set operations on it and freeing
 * it need exclusive use. */
typedef struct _CsCpuidData CsCpuidData;

/* Returns: (transfer full) an empty data set. */
CS_EXPORT CsCpuidData *cs_cpuid_data_new(void);
/* Returns: (transfer full) a data set holding @leaves. */
CS_EXPORT CsCpuidData *cs_cpuid_data_new_from_leaves(const CsCpuidLeaf *leaves,
                                                     gsize n_leaves);
/* Returns: (transfer full) a deep copy of @data. */
CS_EXPORT CsCpuidData *cs_cpuid_data_copy(const CsCpuidData *data);
CS_EXPORT void cs_cpuid_data_free(CsCpuidData *data);

CS_EXPORT void cs_cpuid_data_add_leaf(CsCpuidData *data, const CsCpuidLeaf *leaf);
CS_EXPORT void cs_cpuid_data_add_msr(CsCpuidData *data, const CsMsr *msr);
/* Returns: (transfer none) the leaf or NULL. */
CS_EXPORT const CsCpuidLeaf *cs_cpuid_data_get_leaf(const CsCpuidData *data,
                                                    guint32 eax_in, guint32 ecx_in);
/* Returns: (transfer none) the MSR or NULL. */
CS_EXPORT const CsMsr *cs_cpuid_data_get_msr(const CsCpuidData *data, guint32 index);
/* Returns: (transfer none) the sorted leaves; @out_n receives their count. */
CS_EXPORT const CsCpuidLeaf *cs_cpuid_data_get_leaves(const CsCpuidData *data,
                                                      gsize *out_n);
/* Returns: (transfer none) the sorted MSRs; @out_n receives their count. */
CS_EXPORT const CsMsr *cs_cpuid_data_get_msrs(const CsCpuidData *data, gsize *out_n);

/* Set algebra, in place on @data. */
CS_EXPORT void cs_cpuid_data_union(CsCpuidData *data, const CsCpuidData *other);
CS_EXPORT void cs_cpuid_data_intersect(CsCpuidData *data, const CsCpuidData *other);
CS_EXPORT void cs_cpuid_data_subtract(CsCpuidData *data, const CsCpuidData *other);
CS_EXPORT gboolean cs_cpuid_data_is_empty(const CsCpuidData *data);
/* TRUE when every bit of @subset is set in @data. */
CS_EXPORT gboolean cs_cpuid_data_is_subset(const CsCpuidData *data,
                                           const CsCpuidData *subset);
/* TRUE when both hold the same bits (all-zero entries do not count). */
CS_EXPORT gboolean cs_cpuid_data_equal(const CsCpuidData *a, const CsCpuidData *b);

/* Parsers. @source names the input in error messages (a file name).
 * Returns: (transfer full) the data, or NULL with @error set. */
CS_EXPORT CsCpuidData *cs_cpuid_data_parse_xml(const char *xml, gsize len,
                                               const char *source, GError **error);
CS_EXPORT CsCpuidData *cs_cpuid_data_parse_cpuid_r(const char *text, gsize len,
                                                   const char *source, GError **error);
/* Parses <cpudata> XML or `cpuid -r` text, whichever @buf holds (XML
 * starts with '<' after white space); text of any other kind is refused as
 * a whole, naming the forms cpusel reads. @source names the input in errors.
 * Returns: (transfer full) the data, or NULL with @error set. */
CS_EXPORT CsCpuidData *cs_cpuid_data_parse(const char *buf, gsize len,
                                           const char *source, GError **error);
/* Reads a file holding <cpudata> XML or `cpuid -r` text (detected), a
 * regular file within the input size limit (cs-input.h).
 * Returns: (transfer full) the data, or NULL with @error set. */
CS_EXPORT CsCpuidData *cs_cpuid_data_load_file(const char *path, GError **error);

/* Returns: (transfer full) libvirt's <cpudata arch='x86'> text. */
CS_EXPORT char *cs_cpuid_data_format_xml(const CsCpuidData *data);

/* Reads this machine's CPUID (and MSR 0x10a when readable); from any thread.
 * Returns: (transfer full) the data, or NULL with @error set (not x86). */
CS_EXPORT CsCpuidData *cs_cpuid_data_new_from_host(GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsCpuidData, cs_cpuid_data_free)

G_END_DECLS
