/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W3: start /bin/true inside a group and reap it, in several ways.
 * usage: w3_spawn N MODE ARGS
 *   spawn BASE          cgroups_spawn (clone3 into the cgroup on v2; fork + join + exec on v1)
 *   api BASE            fork + cgroups_attach_self + exec
 *   floor PROCS...      fork + open/write "0"/close of each cgroup.procs + exec, in plain C
 *   clone3 DIR          clone3(CLONE_INTO_CGROUP) into DIR + exec, in plain C (cgroup v2)
 *   cgexec SPEC         fork + exec of `cgexec -g SPEC /bin/true` (cgroup-tools)
 *   exec CGROUPS BASE GROUP  fork + exec of `CGROUPS --base BASE exec GROUP -- /bin/true`
 *   run CGROUPS BASE    fork + exec of `CGROUPS --base BASE run --no-scope -- /bin/true` (the
 *                       command makes a group, starts the program in it, reaps it, deletes it)
 *   nogroup             fork + exec */
#include "bench.h"

#include <cgroups.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL

/* The kernel's struct clone_args up to `cgroup` (CLONE_ARGS_SIZE_VER2). */
struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

static char *const true_argv[] = {"true", NULL};

static pid_t start(const char *mode, cgroups_cgroup *cg, int cgroup_fd, int argc, char **argv) {
    if (strcmp(mode, "spawn") == 0) {
        pid_t pid;
        return cgroups_spawn(cg, "/bin/true", true_argv, NULL, &pid) == CGROUPS_OK ? pid : -1;
    }
    if (strcmp(mode, "clone3") == 0) {
        struct clone_args_v2 args = {.flags = CLONE_INTO_CGROUP_FLAG,
                                     .exit_signal = SIGCHLD,
                                     .cgroup = (uint64_t)cgroup_fd};
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
        if (pid == 0) {
            execv("/bin/true", true_argv);
            _exit(127);
        }
        return pid;
    }
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (cg != NULL && cgroups_attach_self(cg) != CGROUPS_OK)
        _exit(126);
    if (strcmp(mode, "floor") == 0) {
        for (int p = 3; p < argc; p++) {
            int fd = open(argv[p], O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, "0", 1) != 1)
                _exit(126);
            close(fd);
        }
    }
    if (strcmp(mode, "cgexec") == 0)
        execlp("cgexec", "cgexec", "-g", argv[3], "/bin/true", (char *)NULL);
    else if (strcmp(mode, "exec") == 0)
        execl(argv[3], "cgroups", "--base", argv[4], "exec", argv[5], "--", "/bin/true", (char *)NULL);
    else if (strcmp(mode, "run") == 0)
        execl(argv[3], "cgroups", "--base", argv[4], "run", "--no-scope", "--", "/bin/true", (char *)NULL);
    else
        execv("/bin/true", true_argv);
    _exit(127);
}

int main(int argc, char **argv) {
    if (argc < 3)
        return 2;
    long cycles = atol(argv[1]);
    const char *mode = argv[2];
    cgroups_context *ctx = NULL;
    cgroups_cgroup *cg = NULL;
    int cgroup_fd = -1;
    if ((strcmp(mode, "api") == 0 || strcmp(mode, "spawn") == 0) &&
        (argc != 4 || cgroups_context_new(argv[3], NULL, &ctx) != CGROUPS_OK ||
         cgroups_context_open(ctx, strcmp(mode, "api") == 0 ? "w3-api" : "w3-spawn",
                              CGROUPS_CPU | CGROUPS_MEMORY, &cg) != CGROUPS_OK)) {
        fprintf(stderr, "open: %s\n", cgroups_last_error());
        return 1;
    }
    if (strcmp(mode, "clone3") == 0 && (argc != 4 || (cgroup_fd = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0))
        die("open the cgroup directory");
    if ((strcmp(mode, "cgexec") == 0 && argc != 4) || (strcmp(mode, "run") == 0 && argc != 5) ||
        (strcmp(mode, "exec") == 0 && argc != 6))
        return 2;

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        pid_t pid = start(mode, cg, cgroup_fd, argc, argv);
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s: %s\n", mode, cg != NULL ? cgroups_last_error() : "");
            die("child");
        }
    }
    bench_report(clock, cycles);
    if (cg != NULL) {
        if (cgroups_delete(cg) != CGROUPS_OK)
            fprintf(stderr, "delete: %s\n", cgroups_last_error());
        cgroups_free(cg);
        cgroups_context_free(ctx);
    }
    return 0;
}
