/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcpusel: psABI levels of bit vectors (never installed) */
#pragma once

#include "core/cpu-vec-private.h"

/* "none", "x86-64-v1" .. "x86-64-v4": the name of level 0 .. 4. */
extern const char *const cs_psabi_names[5];

/* Feature indices of each level in a map; -1 when the map lacks one. */
typedef struct {
    int feat[4][12];
} CsPsabiTable;

void cs_psabi_table_init(const CsCpuMap *map, CsPsabiTable *t);
/* The level (0 = none, 1..4 = v1..v4) of the CPU whose bits are @vec. */
guint cs_psabi_level_of_vec(const CsCpuMap *map, const CsPsabiTable *t, const CsWord *vec);
