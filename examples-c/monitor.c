/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Monitor a job: run a shell command in a group of its own with a memory limit, follow it
 * through one pollable descriptor (the OOM killer, the group becoming empty), then print what
 * it used. The same loop works on cgroup v1, v2 and hybrid hosts.
 *
 * usage: monitor MEMORY_MB 'COMMAND' [BASE]   (run as root, or as a user prepared with
 * user_cgroups; BASE as for cgroups_open_at, default: the host's cgroup mount) */

/* For pipe2() and kill(), which glibc declares only beyond strict C11. */
#define _GNU_SOURCE
#include <cgroups.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int ok(int status, const char *what) {
    if (status == CGROUPS_OK)
        return 1;
    fprintf(stderr, "%s failed: %s\n", what, cgroups_last_error());
    return 0;
}

/* fork, join the group, exec `sh -c command`. A close-on-exec pipe tells the parent when the
 * child has exec'd, so that it is in the group before the watch is made. */
static pid_t start_job(const cgroups_cgroup *cg, const char *command) {
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int error = 0;
        if (cgroups_attach_self(cg) != CGROUPS_OK)
            error = errno;
        else
            execl("/bin/sh", "sh", "-c", command, (char *)NULL);
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
        fprintf(stderr, "the job could not start: %s\n", strerror(child_error));
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static void print_usage(const cgroups_cgroup *cg, int wait_status) {
    if (WIFEXITED(wait_status))
        printf("exit: status %d\n", WEXITSTATUS(wait_status));
    else if (WIFSIGNALED(wait_status))
        printf("exit: killed by signal %d\n", WTERMSIG(wait_status));
    cgroups_stats stats = {.size = sizeof stats};
    if (!ok(cgroups_stats_read(cg, CGROUPS_STAT_ALL, &stats), "cgroups_stats_read"))
        return;
    /* Absent is not 0: print only what this host could give. */
    if (stats.present & CGROUPS_STAT_CPU_USAGE)
        printf("cpu: %" PRIu64 " us (user %" PRIu64 ", system %" PRIu64 ")\n", stats.cpu_usage_usec,
               stats.cpu_user_usec, stats.cpu_system_usec);
    if (stats.present & CGROUPS_STAT_MEMORY_PEAK)
        printf("memory peak: %" PRIu64 " bytes\n", stats.memory_peak);
    if (stats.present & CGROUPS_STAT_MEMORY_EVENTS)
        printf("oom kills: %" PRIu64 "\n", stats.memory_oom_kills);
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s MEMORY_MB 'COMMAND' [BASE]\n", argv[0]);
        return 2;
    }
    uint64_t memory_mb = strtoull(argv[1], NULL, 10);
    const char *command = argv[2];
    const char *base = argc > 3 ? argv[3] : NULL;

    cgroups_cgroup *cg = NULL;
    int status = base ? cgroups_open_at(base, "monitored-job", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg)
                      : cgroups_open("monitored-job", CGROUPS_CPU | CGROUPS_MEMORY, NULL, &cg);
    if (!ok(status, "cgroups_open"))
        return 1;
    int exit_code = 1;
    cgroups_watch *watch = NULL;
    pid_t job = -1;
    if (!ok(cgroups_set_memory_limit(cg, memory_mb, CGROUPS_MEGABYTES), "cgroups_set_memory_limit"))
        goto out;
    if ((job = start_job(cg, command)) < 0)
        goto out;
    printf("job: %s\n", command);
    if (!ok(cgroups_watch_new(cg, CGROUPS_EVENT_OOM | CGROUPS_EVENT_EMPTY, &watch), "cgroups_watch_new"))
        goto out;

    /* The event loop: one descriptor, whatever the layout. The job is reaped as soon as it
     * exits (its own exit does not empty the group when it left children behind). */
    struct pollfd pfd = {.fd = cgroups_watch_fd(watch), .events = POLLIN};
    int wait_status = 0, reaped = 0;
    for (;;) {
        if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
            goto out;
        if (!reaped && waitpid(job, &wait_status, WNOHANG) == job)
            reaped = 1;
        uint32_t events = 0;
        if (!ok(cgroups_watch_read(watch, &events), "cgroups_watch_read"))
            goto out;
        if (events & CGROUPS_EVENT_OOM)
            printf("event: OOM (the OOM killer ran in the group)\n");
        if (events & CGROUPS_EVENT_EMPTY) {
            printf("event: EMPTY (no process left in the group)\n");
            break;
        }
    }
    if (!reaped)
        waitpid(job, &wait_status, 0);
    job = -1;
    print_usage(cg, wait_status);
    exit_code = 0;
out:
    if (job > 0) {
        kill(job, SIGKILL);
        waitpid(job, NULL, 0);
    }
    cgroups_watch_free(watch);
    if (!ok(cgroups_delete(cg), "cgroups_delete"))
        exit_code = 1;
    else if (exit_code == 0)
        printf("done\n");
    cgroups_free(cg);
    return exit_code;
}
