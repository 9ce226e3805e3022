/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: what KVM can give a guest on this machine (the only file doing
 * KVM ioctls)
 *
 * KVM_GET_SUPPORTED_CPUID fills a caller-sized array: too small an array
 * fails with E2BIG, so the array grows (64, 128, ... entries) until the
 * call succeeds. KVM sets the index of leaves without sub-leaves to 0, so
 * (function, index) is the (eax_in, ecx_in) key as is. KVM fills in the
 * APIC IDs of the CPU the ioctl runs on; they are zeroed, as if it ran on
 * CPU #0 (what libvirt's virCPUDataGetHost() gives there). Entries whose
 * four registers are then zero carry nothing and are left out, as libvirt's
 * formatter leaves them out.
 *
 * Feature MSRs are read on the system fd, as QEMU reads them: the indices
 * KVM_GET_MSR_FEATURE_INDEX_LIST names, limited to those the CPU maps have
 * features in, each read with KVM_GET_MSRS.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <libcpusel/cs-hypervisor.h>
#include <libcpusel/cs-error.h>
#include "core/cpuid-data-private.h"

#define KVM_DEVICE "/dev/kvm"

#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))

#include <sys/ioctl.h>
#include <linux/kvm.h>

#define CPUID_FIRST_SIZE 64
#define CPUID_MAX_SIZE 65536
#define MSR_LIST_MAX 4096

/* The feature MSRs the CPU maps describe. */
static gboolean
wanted_msr(guint32 index)
{
    return index == 0x10a ||                    /* IA32_ARCH_CAPABILITIES */
           index == 0xcf ||                     /* IA32_CORE_CAPABILITIES */
           (index >= 0x480 && index <= 0x491);  /* IA32_VMX_BASIC .. VMFUNC */
}

static int
kvm_ioctl(int fd, unsigned long request, void *arg)
{
    int rc;

    do {
        rc = ioctl(fd, request, arg);
    } while (rc < 0 && errno == EINTR);
    return rc;
}

static gboolean
read_cpuid(int fd, CsCpuidData *data, GError **error)
{
    int err = E2BIG;

    for (guint n = CPUID_FIRST_SIZE; n <= CPUID_MAX_SIZE; n *= 2) {
        g_autofree struct kvm_cpuid2 *cpuid = NULL;

        cpuid = g_malloc0(sizeof(*cpuid) + n * sizeof(struct kvm_cpuid_entry2));
        cpuid->nent = n;
        if (kvm_ioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0) {
            for (guint i = 0; i < cpuid->nent && i < n; i++) {
                const struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
                CsCpuidLeaf leaf = {
                    .eax_in = e->function, .ecx_in = e->index,
                    .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
                };

                cs_cpuid_leaf_mask_apic_ids(&leaf);
                if (leaf.eax | leaf.ebx | leaf.ecx | leaf.edx)
                    cs_cpuid_data_add_leaf(data, &leaf);
            }
            g_debug("KVM supports %u CPUID entries", cpuid->nent);
            return TRUE;
        }
        if ((err = errno) != E2BIG)
            break;
    }
    g_set_error(error, CS_ERROR, CS_ERROR_IO,
                "cannot read KVM's supported CPUID from %s: %s", KVM_DEVICE,
                g_strerror(err));
    return FALSE;
}

/* Adds the wanted feature MSRs KVM lists. An old kernel without the
 * feature MSR interface gives none: that is not an error. */
static void
read_msrs(int fd, CsCpuidData *data)
{
    struct kvm_msr_list probe = { .nmsrs = 0 };
    g_autofree struct kvm_msr_list *list = NULL;
    g_autofree struct kvm_msrs *one = NULL;
    guint32 n;

    if (kvm_ioctl(fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &probe) == 0 || errno != E2BIG ||
        probe.nmsrs == 0 || probe.nmsrs > MSR_LIST_MAX) {
        g_debug("KVM reports no feature MSRs");
        return;
    }
    n = probe.nmsrs;
    list = g_malloc0(sizeof(*list) + n * sizeof(list->indices[0]));
    list->nmsrs = n;
    if (kvm_ioctl(fd, KVM_GET_MSR_FEATURE_INDEX_LIST, list) != 0) {
        g_debug("KVM_GET_MSR_FEATURE_INDEX_LIST: %s", g_strerror(errno));
        return;
    }
    /* one MSR at a time: a header and one entry */
    one = g_malloc0(sizeof(*one) + sizeof(one->entries[0]));
    for (guint32 i = 0; i < list->nmsrs && i < n; i++) {
        CsMsr msr;

        if (!wanted_msr(list->indices[i]))
            continue;
        one->nmsrs = 1;
        one->entries[0] = (struct kvm_msr_entry) { .index = list->indices[i] };
        /* returns the number of MSRs read */
        if (kvm_ioctl(fd, KVM_GET_MSRS, one) != 1) {
            g_debug("KVM cannot read MSR 0x%x", list->indices[i]);
            continue;
        }
        msr = (CsMsr) { .index = list->indices[i], .eax = (guint32) one->entries[0].data,
                        .edx = (guint32) (one->entries[0].data >> 32) };
        cs_cpuid_data_add_msr(data, &msr);
    }
}

CsCpuidData *
cs_cpuid_data_new_from_kvm(GError **error)
{
    g_autoptr(CsCpuidData) data = cs_cpuid_data_new();
    int fd;
    gboolean ok;

    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if ((fd = open(KVM_DEVICE, O_RDONLY | O_CLOEXEC)) < 0) {
        int err = errno;

        if (err == ENOENT)
            g_set_error(error, CS_ERROR, CS_ERROR_IO,
                        "KVM is not available: %s does not exist", KVM_DEVICE);
        else
            g_set_error(error, CS_ERROR, CS_ERROR_IO, "cannot open %s: %s", KVM_DEVICE,
                        g_strerror(err));
        return NULL;
    }
    ok = read_cpuid(fd, data, error);
    if (ok)
        read_msrs(fd, data);
    close(fd);
    if (!ok)
        return NULL;
    return g_steal_pointer(&data);
}

#else /* no x86 KVM interface */

CsCpuidData *
cs_cpuid_data_new_from_kvm(GError **error)
{
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "reading KVM's supported CPUID is only supported on x86 Linux");
    return NULL;
}

#endif
