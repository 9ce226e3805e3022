/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: facts about this machine besides CPUID (the only hardware access
 * outside cpuid-host.c; all of it reads /proc and /sys). Every function may
 * be called from any thread; CsTopology is a plain value. */
#pragma once

#include <libcpusel/cs-common.h>

G_BEGIN_DECLS

typedef struct {
    guint sockets;
    guint dies;
    guint cores;    /* per die */
    guint threads;  /* per core */
} CsTopology;

/* Returns: (transfer full) this machine's architecture as libvirt names it
 * (x86_64, i686, aarch64, ppc64le, s390x, riscv64, ...). */
CS_EXPORT char *cs_host_get_arch(void);
/* Reads the topology of this machine from sysfs. FALSE with @error if unknown. */
CS_EXPORT gboolean cs_host_get_topology(CsTopology *out_topology, GError **error);
/* Reads the microcode revision (x86 /proc/cpuinfo "microcode"). FALSE if unknown. */
CS_EXPORT gboolean cs_host_get_microcode(guint64 *out_version, GError **error);
/* Returns: (transfer full) NULL-terminated CPU feature flags from /proc/cpuinfo
 * ("flags" on x86, "Features" on ARM, ...) or NULL with @error. */
CS_EXPORT char **cs_host_get_cpuinfo_features(GError **error);
/* Same, parsed from the text of a /proc/cpuinfo file (for tests). */
CS_EXPORT char **cs_host_parse_cpuinfo_features(const char *text, GError **error);
/* Returns: (transfer full) the CPU model name from /proc/cpuinfo or NULL. */
CS_EXPORT char *cs_host_get_cpuinfo_model(void);
/* Same, from the text of a /proc/cpuinfo file: "model name" (x86, ...),
 * "cpu" up to its first comma (ppc), "uarch" (riscv), "machine" (s390x), or
 * "IMPLEMENTER-PART" from ARM's "CPU implementer" and "CPU part" numbers.
 * Returns: (transfer full) the name, or NULL. */
CS_EXPORT char *cs_host_parse_cpuinfo_model(const char *text);

G_END_DECLS
