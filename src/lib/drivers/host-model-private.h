/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: a guest taking its host's model, the same on every arch
 * (never installed) */
#pragma once

#include "core/cpu-def-private.h"

/* The guest takes the host's model and features, its own applied on top,
 * and becomes custom/exact; a non-custom guest also takes the host's
 * vendor (keeping its own vendor_id). libvirt's x86UpdateHostModel. */
void cs_cpu_def_take_host_model(CsCpuDef *guest, const CsCpuDef *host);
