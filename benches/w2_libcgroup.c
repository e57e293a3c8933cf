/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W2 through libcgroup (Debian libcgroup-dev): per group and pass, cgroup_get_cgroup() (which
 * reads every file of the group's controllers) and the two usage values.
 * usage: w2_libcgroup PASSES GROUPS PARENT  (the groups' parent, relative to the hierarchies'
 * roots; groups PARENT/g0 ...) */
#include "bench.h"

#include <libcgroup.h>
#include <stdint.h>

int main(int argc, char **argv) {
    if (argc != 4)
        return 2;
    long passes = atol(argv[1]), groups = atol(argv[2]);
    if (cgroup_init() != 0)
        die("cgroup_init");
    uint64_t sum = 0;
    struct bench_clock clock = bench_start();
    for (long pass = 0; pass < passes; pass++) {
        for (long i = 0; i < groups; i++) {
            char name[4096];
            snprintf(name, sizeof name, "%s/g%ld", argv[3], i);
            struct cgroup *group = cgroup_new_cgroup(name);
            if (group == NULL || cgroup_get_cgroup(group) != 0)
                die(name);
            u_int64_t memory = 0, cpu = 0;
            if (cgroup_get_value_uint64(cgroup_get_controller(group, "memory"), "memory.usage_in_bytes", &memory) != 0 ||
                cgroup_get_value_uint64(cgroup_get_controller(group, "cpuacct"), "cpuacct.usage", &cpu) != 0)
                die("value");
            sum += memory + cpu;
            cgroup_free(&group);
        }
    }
    bench_report(clock, passes * groups);
    if (sum == 1)
        puts("");
    return 0;
}
