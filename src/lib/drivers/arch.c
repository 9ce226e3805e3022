/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: which driver handles an arch */
#include <string.h>
#include <libcpusel/cs-error.h>
#include "guest-private.h"
#include "core/decode-options-private.h"

#define CS_ENUM_NAME(id, name) [id] = name,
static const char *const set_names[] = { CS_ENCODE_SETS(CS_ENUM_NAME) };
#undef CS_ENUM_NAME

/* libvirt's CPU drivers: x86 for i686/x86_64; the arches that have a driver
 * of their own there are compared by names here. */
static const char *const generic_archs[] = {
    "armv6l", "armv7l", "armv7b", "aarch64", "ppc64", "ppc64le", "s390", "s390x",
    "riscv32", "riscv64", "loongarch64",
};

CsArchKind
cs_arch_kind(const char *arch)
{
    if (!arch || strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0)
        return CS_ARCH_X86;
    for (guint i = 0; i < G_N_ELEMENTS(generic_archs); i++) {
        if (strcmp(arch, generic_archs[i]) == 0)
            return CS_ARCH_GENERIC;
    }
    return CS_ARCH_UNSUPPORTED;
}

gboolean
cs_arch_unsupported(const char *arch, GError **error)
{
    g_set_error(error, CS_ERROR, CS_ERROR_UNSUPPORTED,
                "CPU operations are not supported for arch '%s'", arch);
    return FALSE;
}

const char *
cs_encode_set_to_string(CsEncodeSet v)
{
    return v < G_N_ELEMENTS(set_names) ? set_names[v] : NULL;
}

CsCpuDef *
cs_cpu_decode_with(const CsCpuMap *map, const CsCpuidData *data,
                   const CsDecodeOptions *opts, GError **error)
{
    static const CsDecodeOptions defaults = CS_DECODE_OPTIONS_INIT(CS_DECODE_HOST);

    g_return_val_if_fail(map != NULL && data != NULL, NULL);
    return cs_x86_decode(map, data, opts ? opts : &defaults, error);
}

CsCpuDef *
cs_cpu_decode(const CsCpuMap *map, const CsCpuidData *data, CsDecodeFlags flags,
              GError **error)
{
    CsDecodeOptions opts = CS_DECODE_OPTIONS_INIT(flags);

    return cs_cpu_decode_with(map, data, &opts, error);
}
