/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W1 through the C API's one-call path: as w1_capi, but each cycle opens its group with
 * cgroups_open_at() (base and user given per call, as the seed's `Cgroup(name)` does) instead of
 * through a context made before the loop.
 * usage: w1_capi_open N BASE */
#include "capi.h"

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    long cycles = atol(argv[1]);
    const char *base = argv[2];
    pid_t sleeper = start_sleeper();

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        cgroups_cgroup *cg = NULL;
        check(cgroups_open_at(base, "w1-capi-open", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg), "open");
        w1_cycle(cg, sleeper);
    }
    bench_report(clock, cycles);
    stop(sleeper);
    return 0;
}
