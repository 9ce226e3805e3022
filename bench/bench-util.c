/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cpusel-bench: timing helpers shared by the modes */
#include <stdlib.h>
#include <time.h>
#include "bench-util.h"

double
bench_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

void
bench_stats(double *t, long n, double *mean, double *median, double *min)
{
    double sum = 0;

    *mean = *median = *min = 0;
    if (n <= 0)
        return;
    qsort(t, n, sizeof(double), dbl_cmp);
    for (long i = 0; i < n; i++)
        sum += t[i];
    *mean = sum / (double) n;
    *median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    *min = t[0];
}

int
bench_fail(GError *error)
{
    g_printerr("cpusel-bench: %s\n", error->message);
    g_error_free(error);
    return 1;
}
