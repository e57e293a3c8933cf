/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Quick start: put three workers in a group with half the default CPU share and 500 MB of
 * memory, change the share while they run, add one more process by pid, then clean up.
 *
 * Run as root (or as a user prepared with `user_cgroups`). An optional argument names the base
 * (a directory holding cgroup mounts, or a cgroup2 directory); the default is the host's mount. */

/* For pipe2(), a GNU call (POSIX since 2024) that glibc declares only with _GNU_SOURCE. */
#define _GNU_SOURCE
#include <cgroups.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS 3

static int ok(int status, const char *what) {
    if (status == CGROUPS_OK)
        return 1;
    fprintf(stderr, "%s failed: %s: %s\n", what, cgroups_strerror(status), cgroups_last_error());
    return 0;
}

/* fork + attach + exec: the child joins the group before it runs the program. A close-on-exec
 * pipe tells the parent when the child has exec'd (so it is in the group), or why it failed. */
static pid_t start_worker(const cgroups_cgroup *cg) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int error = 0;
        if (cg != NULL && cgroups_attach_self(cg) != CGROUPS_OK)
            error = cgroups_last_errno();
        else
            execlp("sleep", "sleep", "30", (char *)NULL);
        if (error == 0)
            error = errno;
        ssize_t written = write(pipe_fds[1], &error, sizeof error);
        _exit(written == sizeof error ? 126 : 127);
    }
    close(pipe_fds[1]);
    int child_error = 0;
    ssize_t got = pid > 0 ? read(pipe_fds[0], &child_error, sizeof child_error) : 0;
    close(pipe_fds[0]);
    if (got > 0) {
        fprintf(stderr, "worker %d could not start: %s\n", (int)pid, strerror(child_error));
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static void print_members(const cgroups_cgroup *cg) {
    pid_t *pids = NULL;
    size_t count = 0;
    if (!ok(cgroups_pids(cg, &pids, &count), "cgroups_pids"))
        return;
    printf("  members (%zu):", count);
    for (size_t i = 0; i < count; i++)
        printf(" %d", (int)pids[i]);
    printf("\n");
    cgroups_pids_free(pids, count);
}

static void print_limits(const cgroups_cgroup *cg) {
    double percent = 0;
    uint64_t bytes = 0;
    if (ok(cgroups_cpu_limit(cg, &percent), "cgroups_cpu_limit") &&
        ok(cgroups_memory_limit(cg, &bytes), "cgroups_memory_limit")) {
        if (bytes == CGROUPS_UNLIMITED)
            printf("  cpu %.0f %%, memory unlimited\n", percent);
        else
            printf("  cpu %.0f %%, memory %" PRIu64 " MB\n", percent, bytes >> 20);
    }
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : NULL;
    cgroups_cgroup *cg = NULL;
    pid_t workers[WORKERS + 1] = {0};
    int success = 0;

    printf("libcgroups %s\n", cgroups_version());
    int status = base ? cgroups_open_at(base, "charlie", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg)
                      : cgroups_open("charlie", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg);
    if (!ok(status, "cgroups_open"))
        return 1;
    printf("opened group charlie\n");

    if (!ok(cgroups_set_cpu_limit(cg, 50), "cgroups_set_cpu_limit") ||
        !ok(cgroups_set_memory_limit(cg, 500, CGROUPS_MEGABYTES), "cgroups_set_memory_limit"))
        goto cleanup;
    print_limits(cg);

    for (int i = 0; i < WORKERS; i++) {
        workers[i] = start_worker(cg);
        if (workers[i] < 0)
            goto cleanup;
        printf("started worker %d inside the group\n", (int)workers[i]);
    }
    print_members(cg);

    if (!ok(cgroups_set_cpu_limit(cg, 80), "cgroups_set_cpu_limit"))
        goto cleanup;
    printf("raised the CPU share while the workers run\n");
    print_limits(cg);

    workers[WORKERS] = start_worker(NULL);
    if (workers[WORKERS] < 0 || !ok(cgroups_add(cg, workers[WORKERS]), "cgroups_add"))
        goto cleanup;
    printf("added process %d by pid\n", (int)workers[WORKERS]);
    print_members(cg);

    if (!ok(cgroups_remove(cg, workers[WORKERS]), "cgroups_remove"))
        goto cleanup;
    printf("removed process %d (back in the user's group)\n", (int)workers[WORKERS]);
    print_members(cg);
    success = 1;

cleanup:
    /* Deleting moves the members back to the user's group; it never kills them. */
    if (ok(cgroups_delete(cg), "cgroups_delete"))
        printf("deleted group charlie\n");
    else
        success = 0;
    for (int i = 0; i <= WORKERS; i++) {
        if (workers[i] > 0) {
            kill(workers[i], SIGTERM);
            waitpid(workers[i], NULL, 0);
        }
    }
    cgroups_free(cg);
    printf("%s\n", success ? "done" : "failed");
    return success ? 0 : 1;
}
