/* libcpusel: CsCpuidData internals (never installed) */
#pragma once

#include <libcpusel/cs-cpuid.h>

struct _CsCpuidData {
    GArray *leaves;     /* CsCpuidLeaf, sorted by (eax_in, ecx_in) */
    GArray *msrs;       /* CsMsr, sorted by index */
};
