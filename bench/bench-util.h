/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench: timing helpers shared by the modes */
#pragma once

#include <glib.h>

/* Monotonic time in microseconds. */
double bench_now_us(void);
/* Sorts @t (@n samples) and gives their mean, median and minimum. */
void bench_stats(double *t, long n, double *mean, double *median, double *min);
/* Prints "cpusel-bench: message", frees @error; returns the exit code 1. */
int bench_fail(GError *error);
