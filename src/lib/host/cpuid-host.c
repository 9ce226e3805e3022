/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: read this machine's CPUID (the only file executing CPUID)
 *
 * Sub-leaves are enumerated as the reference dumper (cpuid2xml) does, after
 * the Intel SDM / AMD APM:
 *   0x04, 0x8000001d  sub-leaves until the cache type (EAX[4:0]) is 0
 *   0x07, 0x14, 0x18, 0x1d, 0x1e, 0x20, 0x24   1..EAX of sub-leaf 0
 *   0x0b, 0x1f, 0x80000026   until the level type (ECX[15:8]) is 0
 *   0x0d   0, 1, and n where bit n of (sub0.EAX|sub1.ECX) / (sub0.EDX|sub1.EDX)
 *   0x0f   n where bit n of sub0.EDX;   0x10, 0x80000020  bit n of sub0.EBX
 *   0x12   (SGX only) 0, 1, then 2.. while EAX[3:0] != 0
 *   0x17   1..EAX of sub-leaf 0 if that is >= 3
 *   0x23   n where bit n of sub0.EAX
 * Terminating (invalid) sub-leaves are not recorded, sub-leaf 0 always is.
 * Every enumeration is bounded. Nothing is pinned: the leaves are read on
 * whatever CPU the thread runs on, and the fields naming that CPU (APIC IDs:
 * leaf 1 EBX[31:24], 0xb/0x1f/0x80000026 EDX, 0x8000001e) are zeroed so that
 * the result does not depend on it.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-error.h>
#include "core/cpuid-data-private.h"

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>

#define SUBLEAF_CAP 64          /* bound for every sub-leaf enumeration */
#define BASIC_LEAF_CAP 0xff     /* a larger max basic leaf is bogus */
#define EXT_LEAF_SPAN 0xffff    /* same for the extended range */
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_DEVICE "/dev/cpu/0/msr"

static void
cpuid_raw(guint32 eax_in, guint32 ecx_in, CsCpuidLeaf *out_leaf)
{
    unsigned int a = 0, b = 0, c = 0, d = 0;

    __cpuid_count(eax_in, ecx_in, a, b, c, d);
    out_leaf->eax_in = eax_in;
    out_leaf->ecx_in = ecx_in;
    out_leaf->eax = a;
    out_leaf->ebx = b;
    out_leaf->ecx = c;
    out_leaf->edx = d;
}

/* Records a copy of @leaf, its APIC IDs masked. */
static void
record(CsCpuidData *data, const CsCpuidLeaf *leaf)
{
    CsCpuidLeaf masked = *leaf;

    cs_cpuid_leaf_mask_apic_ids(&masked);
    cs_cpuid_data_add_leaf(data, &masked);
}

/* Reads (eax_in, ecx_in), records it and returns it in @out_leaf. */
static void
take(CsCpuidData *data, guint32 eax_in, guint32 ecx_in, CsCpuidLeaf *out_leaf)
{
    cpuid_raw(eax_in, ecx_in, out_leaf);
    record(data, out_leaf);
}

/* Sub-leaves 1..@count. */
static void
take_count(CsCpuidData *data, guint32 eax_in, guint32 count)
{
    CsCpuidLeaf l;

    count = MIN(count, SUBLEAF_CAP);
    for (guint32 s = 1; s <= count; s++)
        take(data, eax_in, s, &l);
}

/* Sub-leaves n >= @first for each bit n set in @bits. */
static void
take_bitmap(CsCpuidData *data, guint32 eax_in, guint32 bits, guint32 first)
{
    CsCpuidLeaf l;

    for (guint32 s = first; s < 32; s++) {
        if (bits & (1u << s))
            take(data, eax_in, s, &l);
    }
}

/* Sub-leaves 1.. while the cache type (EAX[4:0]) is not 0. */
static void
take_while_cache(CsCpuidData *data, guint32 eax_in)
{
    CsCpuidLeaf l;

    for (guint32 s = 1; s < SUBLEAF_CAP; s++) {
        cpuid_raw(eax_in, s, &l);
        if ((l.eax & 0x1f) == 0)
            break;
        record(data, &l);
    }
}

/* Sub-leaves 1.. while the level type (ECX[15:8]) is not 0. */
static void
take_while_level(CsCpuidData *data, guint32 eax_in)
{
    CsCpuidLeaf l;

    for (guint32 s = 1; s < SUBLEAF_CAP; s++) {
        cpuid_raw(eax_in, s, &l);
        if ((l.ecx & 0xff00) == 0)
            break;
        record(data, &l);
    }
}

/* XSAVE state components: 0, 1 and each valid component n >= 2. */
static void
take_xsave(CsCpuidData *data, const CsCpuidLeaf *sub0)
{
    CsCpuidLeaf sub1;
    CsCpuidLeaf l;

    take(data, 0xd, 1, &sub1);
    for (guint32 s = 2; s < 64; s++) {
        gboolean valid;

        if (s < 32)
            valid = ((sub0->eax | sub1.ecx) & (1u << s)) != 0;
        else
            valid = ((sub0->edx | sub1.edx) & (1u << (s - 32))) != 0;
        if (valid)
            take(data, 0xd, s, &l);
    }
}

/* SGX: sub-leaf 1, then EPC sections 2.. while their type is not 0. */
static void
take_sgx(CsCpuidData *data)
{
    CsCpuidLeaf l;

    take(data, 0x12, 1, &l);
    for (guint32 s = 2; s < SUBLEAF_CAP; s++) {
        cpuid_raw(0x12, s, &l);
        if ((l.eax & 0xf) == 0)
            break;
        record(data, &l);
    }
}

static void
read_basic(CsCpuidData *data)
{
    CsCpuidLeaf l;
    guint32 max;
    guint32 leaf7_ebx = 0;

    cpuid_raw(0, 0, &l);
    max = MIN(l.eax, BASIC_LEAF_CAP);
    for (guint32 leaf = 0; leaf <= max; leaf++) {
        take(data, leaf, 0, &l);
        switch (leaf) {
        case 0x4:
            if (l.eax & 0x1f)
                take_while_cache(data, leaf);
            break;
        case 0x7:
            leaf7_ebx = l.ebx;
            take_count(data, leaf, l.eax);
            break;
        case 0xb:
        case 0x1f:
            if (l.ecx & 0xff00)
                take_while_level(data, leaf);
            break;
        case 0xd:
            take_xsave(data, &l);
            break;
        case 0xf:
            take_bitmap(data, leaf, l.edx, 1);
            break;
        case 0x10:
            take_bitmap(data, leaf, l.ebx, 1);
            break;
        case 0x12:
            if (leaf7_ebx & (1u << 2))
                take_sgx(data);
            break;
        case 0x14:
        case 0x18:
        case 0x1d:
        case 0x1e:
        case 0x20:
        case 0x24:
            take_count(data, leaf, l.eax);
            break;
        case 0x17:
            if (l.eax >= 3)
                take_count(data, leaf, l.eax);
            break;
        case 0x23:
            take_bitmap(data, leaf, l.eax, 1);
            break;
        default:
            break;
        }
    }
}

static void
read_extended(CsCpuidData *data)
{
    const guint32 base = 0x80000000;
    CsCpuidLeaf l;
    guint32 max;

    cpuid_raw(base, 0, &l);
    max = l.eax;
    if (max < base || max > base + EXT_LEAF_SPAN)
        return;                 /* range not implemented */
    for (guint32 leaf = base; leaf <= max; leaf++) {
        take(data, leaf, 0, &l);
        switch (leaf) {
        case 0x8000001d:
            if (l.eax & 0x1f)
                take_while_cache(data, leaf);
            break;
        case 0x80000020:
            take_bitmap(data, leaf, l.ebx, 1);
            break;
        case 0x80000026:
            if (l.ecx & 0xff00)
                take_while_level(data, leaf);
            break;
        default:
            break;
        }
    }
}

/* Adds MSR @index read from the open msr device @fd; FALSE (nothing added)
 * when the CPU does not implement it or the read fails. */
static gboolean
add_msr(CsCpuidData *data, int fd, guint32 index)
{
    guint64 value = 0;
    ssize_t got;
    CsMsr msr;

    do {
        got = pread(fd, &value, sizeof(value), index);
    } while (got < 0 && errno == EINTR);
    if (got != (ssize_t) sizeof(value))
        return FALSE;
    msr = (CsMsr) { .index = index, .eax = (guint32) value,
                    .edx = (guint32) (value >> 32) };
    cs_cpuid_data_add_msr(data, &msr);
    return TRUE;
}

/* The feature MSRs, read when the msr device can be read (root, msr module
 * loaded); silently nothing otherwise:
 * - IA32_ARCH_CAPABILITIES (0x10a) when CPUID.7.0:EDX[29] says it exists;
 * - the VMX capability MSRs (IA32_VMX_BASIC 0x480 .. IA32_VMX_VMFUNC 0x491)
 *   when the CPU has VMX (CPUID.1:ECX[5]): the VMX sub-features of the CPU
 *   map live there. MSRs the CPU does not implement fail to read and are
 *   left out. */
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST 0x491

static void
read_msrs(CsCpuidData *data)
{
    const CsCpuidLeaf *leaf1 = cs_cpuid_data_get_leaf(data, 0x1, 0);
    const CsCpuidLeaf *leaf7 = cs_cpuid_data_get_leaf(data, 0x7, 0);
    gboolean arch_caps = leaf7 && (leaf7->edx & (1u << 29));
    gboolean vmx = leaf1 && (leaf1->ecx & (1u << 5));
    int fd;

    if (!arch_caps && !vmx)
        return;
    if ((fd = open(MSR_DEVICE, O_RDONLY | O_CLOEXEC)) < 0) {
        g_debug("feature MSRs not read: %s: %s", MSR_DEVICE, g_strerror(errno));
        return;
    }
    if (arch_caps && !add_msr(data, fd, MSR_ARCH_CAPABILITIES))
        g_debug("MSR 0x%x not read from %s", MSR_ARCH_CAPABILITIES, MSR_DEVICE);
    for (guint32 index = MSR_VMX_FIRST; vmx && index <= MSR_VMX_LAST; index++)
        add_msr(data, fd, index);
    close(fd);
}

CsCpuidData *
cs_cpuid_data_new_from_host(GError **error)
{
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new();

    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    /* 0 when the CPU lacks CPUID (checked through EFLAGS.ID on i386) */
    if (__get_cpuid_max(0, NULL) == 0) {
        g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                    "this CPU does not support the CPUID instruction");
        return NULL;
    }
    read_basic(data);
    read_extended(data);
    read_msrs(data);
    return g_steal_pointer(&data);
}

#else /* !x86 */

/* Adds the VMX capability MSRs (IA32_VMX_BASIC 0x480 .. IA32_VMX_VMFUNC
 * 0x491) when the CPU has VMX (CPUID.1:ECX[5]) and the msr device can be
 * read; the VMX sub-features of the CPU map live there. MSRs the CPU does
 * not implement fail to read and are left out. */
#define MSR_VMX_FIRST 0x480
#define MSR_VMX_LAST 0x491

static void
read_vmx_capabilities(CsCpuidData *data)
{
    const CsCpuidLeaf *leaf1 = cs_cpuid_data_get_leaf(data, 0x1, 0);
    int fd;

    if (!leaf1 || !(leaf1->ecx & (1u << 5)))
        return;
    if ((fd = open(MSR_DEVICE, O_RDONLY | O_CLOEXEC)) < 0)
        return;
    for (guint32 index = MSR_VMX_FIRST; index <= MSR_VMX_LAST; index++) {
        guint64 value = 0;
        ssize_t got;

        do {
            got = pread(fd, &value, sizeof(value), index);
        } while (got < 0 && errno == EINTR);
        if (got == (ssize_t) sizeof(value)) {
            CsMsr msr = { .index = index, .eax = (guint32) value,
                          .edx = (guint32) (value >> 32) };

            cs_cpuid_data_add_msr(data, &msr);
        }
    }
    close(fd);
}

CsCpuidData *
cs_cpuid_data_new_from_host(GError **error)
{
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "reading CPUID is not supported on this architecture");
    return NULL;
}

#endif
