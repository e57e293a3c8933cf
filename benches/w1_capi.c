/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W1 through the C API: open a group in cpu+memory, CPU 50 %, memory 500 MB, move a running
 * process in, read both limits back, move it out, delete. The context is made before the loop.
 * usage: w1_capi N BASE */
#include "capi.h"

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    long cycles = atol(argv[1]);
    cgroups_context *ctx = NULL;
    check(cgroups_context_new(argv[2], NULL, &ctx), "cgroups_context_new");
    pid_t sleeper = start_sleeper();

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        cgroups_cgroup *cg = NULL;
        check(cgroups_context_open(ctx, "w1-capi", CGROUPS_CPU | CGROUPS_MEMORY, &cg), "open");
        w1_cycle(cg, sleeper);
    }
    bench_report(clock, cycles);
    stop(sleeper);
    cgroups_context_free(ctx);
    return 0;
}
