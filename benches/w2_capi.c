/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W2 through the C API: a monitor reading memory and CPU usage (want = MEMORY_CURRENT |
 * CPU_USAGE) of GROUPS groups made beforehand, PASSES times over. `read`: cgroups_stats_read()
 * on each handle (open/read/close of each file); `reader`: a cgroups_stats_reader per group,
 * made before the timed loop (one pread per file). `setup`/`teardown` make and remove the
 * groups w2/g0 ... w2/g<GROUPS-1>.
 * usage: w2_capi setup|teardown|read|reader PASSES GROUPS BASE */
#include "capi.h"

#include <string.h>

#define WANT (CGROUPS_STAT_MEMORY_CURRENT | CGROUPS_STAT_CPU_USAGE)

int main(int argc, char **argv) {
    if (argc != 5)
        return 2;
    const char *mode = argv[1];
    long passes = atol(argv[2]), groups = atol(argv[3]);
    raise_nofile_limit();
    cgroups_context *ctx = NULL;
    check(cgroups_context_new(argv[4], NULL, &ctx), "cgroups_context_new");
    cgroups_cgroup **cg = calloc((size_t)groups, sizeof *cg);
    cgroups_stats_reader **readers = calloc((size_t)groups, sizeof *readers);
    if (cg == NULL || readers == NULL)
        die("calloc");
    for (long i = 0; i < groups; i++) {
        char name[64];
        snprintf(name, sizeof name, "w2/g%ld", i);
        check(cgroups_context_open(ctx, name, CGROUPS_CPU | CGROUPS_MEMORY, &cg[i]), "open");
        if (strcmp(mode, "reader") == 0)
            check(cgroups_stats_reader_new(cg[i], WANT, &readers[i]), "cgroups_stats_reader_new");
    }
    if (strcmp(mode, "read") == 0 || strcmp(mode, "reader") == 0) {
        uint64_t sum = 0;
        struct bench_clock clock = bench_start();
        for (long pass = 0; pass < passes; pass++) {
            for (long i = 0; i < groups; i++) {
                cgroups_stats stats = {.size = sizeof stats};
                if (readers[i] != NULL)
                    check(cgroups_stats_reader_read(readers[i], &stats), "cgroups_stats_reader_read");
                else
                    check(cgroups_stats_read(cg[i], WANT, &stats), "cgroups_stats_read");
                sum += stats.memory_current + stats.cpu_usage_usec;
            }
        }
        bench_report(clock, passes * groups);
        if (sum == 1)
            puts("");
    }
    for (long i = 0; i < groups; i++) {
        if (strcmp(mode, "teardown") == 0)
            check(cgroups_delete(cg[i]), "delete");
        cgroups_stats_reader_free(readers[i]);
        cgroups_free(cg[i]);
    }
    if (strcmp(mode, "teardown") == 0) {
        cgroups_cgroup *parent = NULL;
        check(cgroups_context_open(ctx, "w2", CGROUPS_CPU | CGROUPS_MEMORY, &parent), "open w2");
        check(cgroups_delete(parent), "delete w2");
        cgroups_free(parent);
    }
    free(readers);
    free(cg);
    cgroups_context_free(ctx);
    return 0;
}
