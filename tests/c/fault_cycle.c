/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* One open -> limit -> add -> remove -> delete cycle through the C API, for fault injection
 * (tests/faults.rs runs it under strace --inject). The cycle lies between two getppid() calls,
 * which mark it in a trace. Prints one line per step: "STEP STATUS ERRNO MESSAGE".
 * Usage: fault_cycle cycle|cleanup NAME PID BASE. cleanup loads the group wherever it exists
 * (or makes it) and deletes it. Exit status: 0 every step ran (each OK or a clean error),
 * 2 a step returned CGROUPS_E_INTERNAL (a panic) or failed without a message, 64 wrong usage. */
#include <cgroups.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int bad;

/* A clean failure has a status of its own and a message. */
static void report(const char *step, int status) {
    if (status < 0 || status == CGROUPS_E_INTERNAL ||
        (status != CGROUPS_OK && cgroups_last_error()[0] == '\0'))
        bad = 1;
    printf("%s %d %d %s\n", step, status, status == CGROUPS_OK ? 0 : cgroups_last_errno(),
           status == CGROUPS_OK ? "" : cgroups_last_error());
}

int main(int argc, char **argv) {
    if (argc != 5 || (strcmp(argv[1], "cycle") != 0 && strcmp(argv[1], "cleanup") != 0)) {
        fprintf(stderr, "usage: %s cycle|cleanup NAME PID BASE\n", argv[0]);
        return 64;
    }
    const char *name = argv[2], *base = argv[4];
    pid_t pid = (pid_t)atoi(argv[3]);
    cgroups_cgroup *cg = NULL;
    if (strcmp(argv[1], "cleanup") == 0) {
        int status = cgroups_open_at(base, name, CGROUPS_ALL, NULL, &cg);
        report("open", status);
        if (status == CGROUPS_OK) {
            report("delete", cgroups_delete(cg));
            cgroups_free(cg);
        }
        return bad ? 2 : 0;
    }
    (void)getppid();
    int status = cgroups_open_at(base, name, CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg);
    report("open", status);
    if (status == CGROUPS_OK) {
        report("cpu", cgroups_set_cpu_limit(cg, 50));
        report("memory", cgroups_set_memory_limit(cg, 64, CGROUPS_MEGABYTES));
        report("add", cgroups_add(cg, pid));
        report("remove", cgroups_remove(cg, pid));
        report("delete", cgroups_delete(cg));
        cgroups_free(cg);
    }
    (void)getppid();
    return bad ? 2 : 0;
}
