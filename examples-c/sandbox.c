/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Sandbox a job: cap it at 1.5 CPUs and 64 processes, let it run (here a shell that forks
 * without end, as a fork bomb would), then kill everything in the group, including what it
 * forked meanwhile, wait until the group is empty, and delete it.
 *
 * Run as root (or as a user prepared with `user_cgroups`). An optional argument names the base
 * (a directory holding cgroup mounts, or a cgroup2 directory); the default is the host's mount. */

/* For usleep(), which glibc declares only beyond strict C11. */
#define _DEFAULT_SOURCE
#include <cgroups.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int ok(int status, const char *what) {
    if (status == CGROUPS_OK)
        return 1;
    fprintf(stderr, "%s failed: %s: %s\n", what, cgroups_strerror(status), cgroups_last_error());
    return 0;
}

static size_t members(const cgroups_cgroup *cg) {
    pid_t *pids = NULL;
    size_t count = 0;
    if (!ok(cgroups_pids(cg, &pids, &count), "cgroups_pids"))
        return 0;
    cgroups_pids_free(pids, count);
    return count;
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : NULL;
    uint32_t controllers = CGROUPS_CPU | CGROUPS_PIDS | CGROUPS_FREEZER;
    cgroups_cgroup *cg = NULL;
    int opened = base != NULL ? cgroups_open_at(base, "sandbox", controllers, NULL, &cg)
                              : cgroups_open("sandbox", controllers, NULL, &cg);
    if (!ok(opened, "cgroups_open"))
        return 1;

    double cpus = 0;
    uint64_t max = 0;
    if (!ok(cgroups_set_cpu_max(cg, 1.5), "cgroups_set_cpu_max") ||   /* a hard cap, in CPUs */
        !ok(cgroups_set_pids_limit(cg, 64), "cgroups_set_pids_limit") || /* no fork bomb */
        !ok(cgroups_cpu_max(cg, &cpus), "cgroups_cpu_max") ||
        !ok(cgroups_pids_limit(cg, &max), "cgroups_pids_limit")) {
        cgroups_free(cg);
        return 1;
    }
    printf("cap %.2f CPUs, at most %" PRIu64 " processes\n", cpus, max);

    pid_t job = fork();
    if (job == 0) { /* the job joins the group before it runs */
        if (cgroups_attach_self(cg) != CGROUPS_OK)
            _exit(126);
        execl("/bin/sh", "sh", "-c", "while :; do (sleep 600 &) 2>/dev/null; done", (char *)NULL);
        _exit(127);
    }
    size_t seen = 0;
    for (int i = 0; i < 1000 && (seen = members(cg)) < 32; i++)
        usleep(10000);
    printf("the job has %s\n", seen >= 32 ? "forked up to the limit" : "not forked much");

    /* Everything in the group, including processes forked while the signal goes out. */
    int done = ok(cgroups_kill(cg, SIGKILL), "cgroups_kill") &&
               ok(cgroups_wait_empty(cg, 10000), "cgroups_wait_empty");
    waitpid(job, NULL, 0);
    printf("members after kill: %zu\n", members(cg));
    done = ok(cgroups_delete(cg), "cgroups_delete") && done;
    cgroups_free(cg);
    if (done)
        printf("done\n");
    return done ? 0 : 1;
}
