/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W1 through the C API's one-call path: as w1_capi, but each cycle opens its group with
 * cgroups_open_at() (base and user given per call, as the seed's `Cgroup(name)` does) instead of
 * through a context made before the loop.
 * usage: w1_capi_open N BASE */
#include "bench.h"

#include <cgroups.h>

static void check(int status, const char *what) {
    if (status != CGROUPS_OK) {
        fprintf(stderr, "%s: %s\n", what, cgroups_last_error());
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    long cycles = atol(argv[1]);
    const char *base = argv[2];
    pid_t sleeper = start_sleeper();

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        cgroups_cgroup *cg = NULL;
        double percent;
        uint64_t bytes;
        check(cgroups_open_at(base, "w1-capi-open", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg), "open");
        check(cgroups_set_cpu_limit(cg, 50), "set_cpu_limit");
        check(cgroups_set_memory_limit(cg, 500, CGROUPS_MEGABYTES), "set_memory_limit");
        check(cgroups_add(cg, sleeper), "add");
        check(cgroups_cpu_limit(cg, &percent), "cpu_limit");
        check(cgroups_memory_limit(cg, &bytes), "memory_limit");
        check(cgroups_remove(cg, sleeper), "remove");
        check(cgroups_delete(cg), "delete");
        cgroups_free(cg);
    }
    bench_report(clock, cycles);
    stop(sleeper);
    return 0;
}
