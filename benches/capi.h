/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the C API benchmarks share: check() stops the run on a failed call, and w1_cycle() is
 * the W1 cycle after its open (limits, move in, read back, move out, delete, free). */
#ifndef CGROUPS_BENCH_CAPI_H
#define CGROUPS_BENCH_CAPI_H

#include "bench.h"

#include <cgroups.h>

static inline void check(int status, const char *what) {
    if (status != CGROUPS_OK) {
        fprintf(stderr, "%s: %s\n", what, cgroups_last_error());
        exit(1);
    }
}

static inline void w1_cycle(cgroups_cgroup *cg, pid_t sleeper) {
    double percent;
    uint64_t bytes;
    check(cgroups_set_cpu_limit(cg, 50), "set_cpu_limit");
    check(cgroups_set_memory_limit(cg, 500, CGROUPS_MEGABYTES), "set_memory_limit");
    check(cgroups_add(cg, sleeper), "add");
    check(cgroups_cpu_limit(cg, &percent), "cpu_limit");
    check(cgroups_memory_limit(cg, &bytes), "memory_limit");
    check(cgroups_remove(cg, sleeper), "remove");
    check(cgroups_delete(cg), "delete");
    cgroups_free(cg);
}

#endif
