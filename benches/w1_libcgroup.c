/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W1 through libcgroup's C API (Debian libcgroup-dev), v1 controllers.
 * usage: w1_libcgroup N USER_GROUP  (the user's group, relative to the hierarchies' roots) */
#include "bench.h"

#include <libcgroup.h>
#include <string.h>

static void check(int status, const char *what) {
    if (status != 0) {
        fprintf(stderr, "%s: %s\n", what, cgroup_strerror(status));
        exit(1);
    }
}

static struct cgroup *group_with_controllers(const char *name) {
    struct cgroup *group = cgroup_new_cgroup(name);
    if (group == NULL || cgroup_add_controller(group, "cpu") == NULL || cgroup_add_controller(group, "memory") == NULL)
        exit(1);
    return group;
}

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    long cycles = atol(argv[1]);
    char name[4096];
    int length = snprintf(name, sizeof name, "%s/w1-libcgroup", argv[2]);
    if (length < 0 || (size_t)length >= sizeof name)
        return 2;
    check(cgroup_init(), "cgroup_init");
    struct cgroup *user_group = group_with_controllers(argv[2]);
    pid_t sleeper = start_sleeper();

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        struct cgroup *group = cgroup_new_cgroup(name);
        struct cgroup_controller *cpu = cgroup_add_controller(group, "cpu");
        struct cgroup_controller *memory = cgroup_add_controller(group, "memory");
        check(cgroup_set_value_uint64(cpu, "cpu.shares", 512), "set cpu.shares");
        check(cgroup_set_value_uint64(memory, "memory.limit_in_bytes", 500ull << 20), "set memory");
        check(cgroup_create_cgroup(group, 0), "cgroup_create_cgroup");
        check(cgroup_attach_task_pid(group, sleeper), "cgroup_attach_task_pid");
        struct cgroup *loaded = cgroup_new_cgroup(name);
        u_int64_t shares = 0, limit = 0;
        check(cgroup_get_cgroup(loaded), "cgroup_get_cgroup");
        check(cgroup_get_value_uint64(cgroup_get_controller(loaded, "cpu"), "cpu.shares", &shares), "get cpu.shares");
        check(cgroup_get_value_uint64(cgroup_get_controller(loaded, "memory"), "memory.limit_in_bytes", &limit), "get memory");
        check(cgroup_attach_task_pid(user_group, sleeper), "move out");
        check(cgroup_delete_cgroup(group, 0), "cgroup_delete_cgroup");
        cgroup_free(&loaded);
        cgroup_free(&group);
    }
    bench_report(clock, cycles);
    stop(sleeper);
    cgroup_free(&user_group);
    return 0;
}
