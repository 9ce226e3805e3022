/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: the umbrella header, the only one users include */
#pragma once

#include <libcpusel/cs-common.h>
#include <libcpusel/cs-error.h>
#include <libcpusel/cs-input.h>
#include <libcpusel/cs-cpuid.h>
#include <libcpusel/cs-cpu-map.h>
#include <libcpusel/cs-cpu-def.h>
#include <libcpusel/cs-host.h>
#include <libcpusel/cs-ops.h>
#include <libcpusel/cs-cpu-stream.h>
#include <libcpusel/cs-baseline.h>
#include <libcpusel/cs-fleet.h>
#include <libcpusel/cs-guest.h>
#include <libcpusel/cs-hypervisor.h>
