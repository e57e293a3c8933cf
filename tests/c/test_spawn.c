/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* C API tests of cgroups_spawn and cgroups_dir_fd: bad input, membership seen by the child,
 * exec failures (no zombie, no descriptor left), PATH search, envp, signals, a deleted group,
 * threads.
 * Usage: test_spawn BASE  (a base owned by the test run: see tests/c_programs.rs). Run as root. */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *base;
static char scratch[64];

#define CPU_MEM (CGROUPS_CPU | CGROUPS_MEMORY)

static cgroups_cgroup *open_group(const char *name) {
    return open_group_at(base, name, CPU_MEM);
}

/* The path of a file in this run's scratch directory. */
static const char *scratch_file(const char *name) {
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    return path;
}

static void write_file(const char *path, const char *content, mode_t mode) {
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0 || chmod(path, mode) != 0) {
        perror(path);
        exit(1);
    }
}

static void read_file(const char *path, char *buffer, size_t size) {
    buffer[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t n = fread(buffer, 1, size - 1, f);
    buffer[n] = '\0';
    fclose(f);
}

/* The exit code of a spawned child, or -1. */
static int exit_code(pid_t pid) {
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Whether the caller has no child left (the library reaped the ones that failed). */
static int no_child_left(void) {
    return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static int open_descriptors(void) {
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    while (dir != NULL && readdir(dir) != NULL)
        count++;
    if (dir != NULL)
        closedir(dir);
    return count;
}

/* Runs `sh -c SCRIPT OUTPUT` ($0 is the output file) in the group with `envp`; returns the
 * exit code. */
static int run_script(cgroups_cgroup *cg, const char *script, char *const envp[]) {
    char *const argv[] = {"sh", "-c", (char *)script, (char *)scratch_file("output"), NULL};
    pid_t pid = -1;
    if (cgroups_spawn(cg, "sh", argv, envp, &pid) != CGROUPS_OK)
        return -1;
    return exit_code(pid);
}

static void test_bad_arguments_are_refused(void) {
    cgroups_cgroup *cg = open_group("spawn-bad");
    char *const argv[] = {"true", NULL};
    char *const empty[] = {NULL};
    char *const envp[] = {"NO_EQUALS_SIGN", NULL};
    pid_t pid = 4242;
    int fd = 4242;

    CHECK(cgroups_spawn(NULL, "true", argv, NULL, &pid) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_spawn(cg, NULL, argv, NULL, &pid) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(strstr(cgroups_last_error(), "file") != NULL);
    CHECK(cgroups_spawn(cg, "true", NULL, NULL, &pid) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(strstr(cgroups_last_error(), "argv") != NULL);
    CHECK(cgroups_spawn(cg, "true", argv, NULL, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_spawn(cg, "true", empty, NULL, &pid) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_spawn(cg, "true", argv, envp, &pid) == CGROUPS_E_INVALID_ARGUMENT);

    CHECK(cgroups_dir_fd(NULL, CGROUPS_CPU, &fd) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_dir_fd(cg, CGROUPS_CPU, NULL) == CGROUPS_E_NULL_ARGUMENT);
    const uint32_t bad[] = {0, 0x40, CPU_MEM, CGROUPS_ALL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(cgroups_dir_fd(cg, bad[i], &fd) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_dir_fd(cg, CGROUPS_PIDS, &fd) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(pid == 4242 && fd == 4242 && no_child_left());
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

/* How many different directories serve the group's controllers. */
static int directories_of(cgroups_cgroup *cg) {
    struct stat cpu, memory;
    int cpu_fd = -1, memory_fd = -1;
    if (cgroups_dir_fd(cg, CGROUPS_CPU, &cpu_fd) != CGROUPS_OK ||
        cgroups_dir_fd(cg, CGROUPS_MEMORY, &memory_fd) != CGROUPS_OK || fstat(cpu_fd, &cpu) != 0 ||
        fstat(memory_fd, &memory) != 0)
        return -1;
    close(cpu_fd);
    close(memory_fd);
    return cpu.st_ino == memory.st_ino && cpu.st_dev == memory.st_dev ? 1 : 2;
}

static void test_the_child_sees_itself_in_the_group(void) {
    cgroups_cgroup *cg = open_group("spawn-member");
    char text[4096];
    CHECK(run_script(cg, "cat /proc/self/cgroup > \"$0\"", NULL) == 0);
    read_file(scratch_file("output"), text, sizeof text);
    int lines = 0;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        size_t length = strlen(line), suffix = strlen("/spawn-member");
        lines += length > suffix && strcmp(line + length - suffix, "/spawn-member") == 0;
    }
    /* At least one line per directory serving cpu and memory (a v1 cpuacct mounted apart, the
     * companion of cpu, adds its own). */
    CHECK(lines >= 1 && lines >= directories_of(cg));
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_exec_failures_are_os_errors_with_the_exec_errno(void) {
    cgroups_cgroup *cg = open_group("spawn-exec");
    const char *not_executable = scratch_file("not-executable");
    write_file(not_executable, "#!/bin/sh\nexit 0\n", 0644);
    struct {
        const char *file;
        int errno_value;
    } cases[] = {
        {"/nonexistent/cgroups-test-program", ENOENT},
        {"cgroups-test-no-such-program", ENOENT},
        {not_executable, EACCES},
    };
    int descriptors = open_descriptors();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *const argv[] = {(char *)cases[i].file, NULL};
        pid_t pid = 4242;
        CHECK(cgroups_spawn(cg, cases[i].file, argv, NULL, &pid) == CGROUPS_E_OS);
        CHECK(cgroups_last_errno() == cases[i].errno_value);
        CHECK(strstr(cgroups_last_error(), "execute") != NULL);
        CHECK(pid == 4242);
        CHECK(no_child_left());
    }
    CHECK(open_descriptors() == descriptors);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_path_search_uses_the_callers_path(void) {
    cgroups_cgroup *cg = open_group("spawn-path");
    char first[128], second[128], path[512];
    snprintf(first, sizeof first, "%s/first", scratch);
    snprintf(second, sizeof second, "%s/second", scratch);
    CHECK(mkdir(first, 0755) == 0 && mkdir(second, 0755) == 0);
    snprintf(path, sizeof path, "%s/cgroups-test-program", first);
    write_file(path, "#!/bin/sh\nexit 4\n", 0644); /* not executable: skipped */
    snprintf(path, sizeof path, "%s/cgroups-test-program", second);
    write_file(path, "#!/bin/sh\nexit 5\n", 0755);

    const char *saved = getenv("PATH");
    char *saved_path = strdup(saved != NULL ? saved : "/usr/bin:/bin");
    char *const argv[] = {"cgroups-test-program", NULL};
    char *const envp[] = {"PATH=/nonexistent", NULL};
    pid_t pid = -1;

    snprintf(path, sizeof path, "%s:%s:%s", first, second, saved_path);
    setenv("PATH", path, 1);
    CHECK(cgroups_spawn(cg, "cgroups-test-program", argv, NULL, &pid) == CGROUPS_OK);
    CHECK(exit_code(pid) == 5);
    /* The caller's PATH, not the one in envp (as execvpe). */
    CHECK(cgroups_spawn(cg, "cgroups-test-program", argv, envp, &pid) == CGROUPS_OK);
    CHECK(exit_code(pid) == 5);
    /* Only a non-executable one: EACCES, not ENOENT. */
    setenv("PATH", first, 1);
    pid = 4242;
    CHECK(cgroups_spawn(cg, "cgroups-test-program", argv, NULL, &pid) == CGROUPS_E_OS);
    CHECK(cgroups_last_errno() == EACCES && pid == 4242 && no_child_left());
    setenv("PATH", saved_path, 1);
    free(saved_path);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_envp_replaces_the_environment_and_null_inherits_it(void) {
    cgroups_cgroup *cg = open_group("spawn-env");
    char text[256];
    char *const envp[] = {"GREETING=hello=world", NULL};
    CHECK(run_script(cg, "printf '%s|%s' \"$GREETING\" \"${CGROUPS_TEST_MARK-unset}\" > \"$0\"", envp) ==
          0);
    read_file(scratch_file("output"), text, sizeof text);
    CHECK(strcmp(text, "hello=world|unset") == 0);
    setenv("CGROUPS_TEST_MARK", "inherited", 1);
    CHECK(run_script(cg, "printf '%s' \"$CGROUPS_TEST_MARK\" > \"$0\"", NULL) == 0);
    unsetenv("CGROUPS_TEST_MARK");
    read_file(scratch_file("output"), text, sizeof text);
    CHECK(strcmp(text, "inherited") == 0);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

/* The hexadecimal mask of /proc/<pid>/status field `name` ("SigIgn:") in `text`. */
static unsigned long long status_mask(const char *text, const char *name) {
    const char *line = strstr(text, name);
    return line == NULL ? ~0ULL : strtoull(line + strlen(name), NULL, 16);
}

static void test_standard_signals_start_at_their_defaults_and_unblocked(void) {
    cgroups_cgroup *cg = open_group("spawn-signals");
    char text[4096];
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGRTMIN + 2, SIG_IGN);
    CHECK(run_script(cg, "exec grep ^Sig /proc/self/status > \"$0\"", NULL) == 0);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGRTMIN + 2, SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    read_file(scratch_file("output"), text, sizeof text);
    CHECK((status_mask(text, "SigBlk:") & (1ULL << (SIGUSR1 - 1))) == 0);
    CHECK((status_mask(text, "SigIgn:") & (1ULL << (SIGPIPE - 1))) == 0);
    CHECK((status_mask(text, "SigIgn:") & (1ULL << (SIGRTMIN + 2 - 1))) != 0);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_dir_fd_opens_the_group_directory(void) {
    cgroups_cgroup *cg = open_group("spawn-dir-fd");
    int fd = -1;
    CHECK(cgroups_dir_fd(cg, CGROUPS_MEMORY, &fd) == CGROUPS_OK);
    CHECK(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK((fcntl(fd, F_GETFL) & O_PATH) == 0);
    int procs = openat(fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    CHECK(procs >= 0);
    if (procs >= 0)
        close(procs);
    close(fd);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_a_deleted_group_is_not_found(void) {
    cgroups_cgroup *cg = open_group("spawn-deleted");
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    char *const argv[] = {"true", NULL};
    pid_t pid = 4242;
    int fd = 4242;
    CHECK(cgroups_spawn(cg, "true", argv, NULL, &pid) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_dir_fd(cg, CGROUPS_CPU, &fd) == CGROUPS_E_NOT_FOUND);
    CHECK(pid == 4242 && fd == 4242 && no_child_left());
    cgroups_free(cg);
}

static void *spawn_many(void *arg) {
    cgroups_cgroup *cg = arg;
    char *const argv[] = {"true", NULL};
    long failures = 0;
    for (int i = 0; i < 10; i++) {
        pid_t pid = -1;
        failures += cgroups_spawn(cg, "true", argv, NULL, &pid) != CGROUPS_OK || exit_code(pid) != 0;
    }
    return (void *)failures;
}

static void test_threads_spawn_at_once(void) {
    cgroups_cgroup *cg = open_group("spawn-threads");
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        CHECK(pthread_create(&threads[i], NULL, spawn_many, cg) == 0);
    for (int i = 0; i < 4; i++) {
        void *failures = NULL;
        pthread_join(threads[i], &failures);
        CHECK(failures == NULL);
    }
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void remove_scratch(void) {
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", scratch);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE\n", argv[0]);
        return 2;
    }
    base = argv[1];
    snprintf(scratch, sizeof scratch, "/tmp/cgroups-test-spawn-c-%d", (int)getpid());
    if (mkdir(scratch, 0755) != 0) {
        perror(scratch);
        return 1;
    }
    atexit(remove_scratch);
    test_bad_arguments_are_refused();
    test_the_child_sees_itself_in_the_group();
    test_exec_failures_are_os_errors_with_the_exec_errno();
    test_path_search_uses_the_callers_path();
    test_envp_replaces_the_environment_and_null_inherits_it();
    test_standard_signals_start_at_their_defaults_and_unblocked();
    test_dir_fd_opens_the_group_directory();
    test_a_deleted_group_is_not_found();
    test_threads_spawn_at_once();
    return checks_done("test_spawn");
}
