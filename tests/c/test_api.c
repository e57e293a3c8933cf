/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* C API tests: bad input on every function, the group lifecycle, a vanished group, and threads.
 * Usage: test_api BASE  (a base owned by the test run: see tests/c_programs.rs). Run as root. */
#include "check.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *base;

#define CPU_MEM (CGROUPS_CPU | CGROUPS_MEMORY)

static cgroups_cgroup *open_group(const char *name) {
    return open_group_at(base, name, CPU_MEM);
}

static pid_t start_sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        execlp("sleep", "sleep", "600", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void stop(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static pid_t dead_pid(void) {
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static int contains(const pid_t *pids, size_t count, pid_t pid) {
    for (size_t i = 0; i < count; i++)
        if (pids[i] == pid)
            return 1;
    return 0;
}

static void test_version_macros_match_the_library(void) {
    char expected[64];
    snprintf(expected, sizeof expected, "%d.%d.%d", CGROUPS_VERSION_MAJOR, CGROUPS_VERSION_MINOR,
             CGROUPS_VERSION_PATCH);
    CHECK(strcmp(cgroups_version(), expected) == 0);
}

static void test_strerror_accepts_any_int(void) {
    for (int status = CGROUPS_OK; status <= CGROUPS_E_INTERNAL; status++)
        CHECK(strcmp(cgroups_strerror(status), "unknown status") != 0);
    CHECK(strcmp(cgroups_strerror(-1), "unknown status") == 0);
    CHECK(strcmp(cgroups_strerror(INT_MAX), "unknown status") == 0);
    CHECK(strcmp(cgroups_strerror(INT_MIN), "unknown status") == 0);
}

static void test_null_arguments_are_refused(void) {
    cgroups_cgroup *cg = open_group("null-args");
    cgroups_cgroup *out = (cgroups_cgroup *)&passed;
    pid_t *pids = NULL;
    size_t count = 0;
    double percent = -1;
    uint64_t bytes = 7;

    CHECK(cgroups_open(NULL, CPU_MEM, NULL, &out) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(strstr(cgroups_last_error(), "name") != NULL);
    CHECK(cgroups_open("x", CPU_MEM, NULL, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_open_at(NULL, "x", CPU_MEM, NULL, &out) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_open_at(base, NULL, CPU_MEM, NULL, &out) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_open_at(base, "x", CPU_MEM, NULL, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(out == (cgroups_cgroup *)&passed);
    CHECK(cgroups_add(NULL, getpid()) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_remove(NULL, getpid()) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_attach_self(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_pids(NULL, &pids, &count) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_pids(cg, NULL, &count) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_pids(cg, &pids, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_cpu_limit(NULL, 50) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_cpu_limit(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpu_limit(NULL, &percent) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpu_limit(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_memory_limit(NULL, 1, CGROUPS_MEGABYTES) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_memory_limit(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_memory_limit(NULL, &bytes) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_memory_limit(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_delete(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(pids == NULL && count == 0 && percent == -1 && bytes == 7);
    cgroups_free(NULL);
    cgroups_pids_free(NULL, 0);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_bad_open_arguments_get_their_own_status_and_create_nothing(void) {
    char long_name[300];
    memset(long_name, 'x', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    const char *bad_names[] = {"", ".", "..", "a/../../b", "/abs", "a\nb", "tasks", "cgroup.procs",
                               "cpu.max", "a//b", "\xff\xfe", long_name};
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        cgroups_cgroup *out = NULL;
        CHECK(cgroups_open_at(base, bad_names[i], CPU_MEM, NULL, &out) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(out == NULL);
        CHECK(cgroups_last_error()[0] != '\0');
    }
    cgroups_cgroup *out = NULL;
    CHECK(cgroups_open_at(base, "x", CPU_MEM, "no-such-user-cgroups-rs", &out) == CGROUPS_E_NO_SUCH_USER);
    CHECK(cgroups_open_at(base, "x", CPU_MEM, "\xff", &out) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_open_at("/tmp", "x", CPU_MEM, NULL, &out) == CGROUPS_E_NOT_MOUNTED);
    CHECK(cgroups_open_at("relative", "x", CPU_MEM, NULL, &out) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_open_at(base, "x", 1u << 20, NULL, &out) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_open_at(base, "x", 0, NULL, &out) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(out == NULL);
}

static void test_a_context_opens_groups_and_checks_its_arguments(void) {
    cgroups_context *ctx = NULL;
    cgroups_context *untouched = (cgroups_context *)&passed;
    cgroups_cgroup *cg = NULL;

    CHECK(cgroups_context_new(base, NULL, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_context_new("/tmp", NULL, &untouched) == CGROUPS_E_NOT_MOUNTED);
    CHECK(cgroups_context_new(base, "no-such-user-cgroups-rs", &untouched) == CGROUPS_E_NO_SUCH_USER);
    CHECK(untouched == (cgroups_context *)&passed);
    CHECK(cgroups_context_new(base, "current", &ctx) == CGROUPS_OK && ctx != NULL);
    CHECK(cgroups_context_open(NULL, "x", CPU_MEM, &cg) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_context_open(ctx, NULL, CPU_MEM, &cg) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_context_open(ctx, "x", CPU_MEM, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_context_open(ctx, "../x", CPU_MEM, &cg) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_open(ctx, "x", 1u << 30, &cg) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cg == NULL);
    CHECK(cgroups_context_open(ctx, "through-context", CPU_MEM, &cg) == CGROUPS_OK);
    cgroups_context_free(ctx);
    /* The group outlives its context. */
    CHECK(cgroups_set_cpu_limit(cg, 42) == CGROUPS_OK);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
    cgroups_context_free(NULL);
}

static void test_user_setup_and_the_own_cgroup_context_check_their_arguments(void) {
    cgroups_context *ctx = (cgroups_context *)&passed;

    CHECK(cgroups_user_setup(base, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_user_setup(base, "no-such-user-cgroups-rs") == CGROUPS_E_NO_SUCH_USER);
    CHECK(cgroups_user_setup(base, "../etc") == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_user_setup("/tmp", "nobody") == CGROUPS_E_NOT_MOUNTED);
    CHECK(cgroups_user_setup(base, "nobody") == CGROUPS_OK);
    CHECK(cgroups_user_setup(base, "nobody") == CGROUPS_OK);
    CHECK(cgroups_context_new_self(base, NULL) == CGROUPS_E_NULL_ARGUMENT);
    /* This process's own cgroup is not below the test base. */
    CHECK(cgroups_context_new_self(base, &ctx) == CGROUPS_E_NOT_MOUNTED);
    CHECK(ctx == (cgroups_context *)&passed);
}

static void test_scope_requests_check_their_arguments_before_asking_systemd(void) {
    cgroups_context *ctx = NULL;
    CHECK(cgroups_context_new_scope(NULL, NULL, 0, 0, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_context_new_scope("a/b.scope", NULL, 0, 0, &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_new_scope("no-suffix", NULL, 0, 0, &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_new_scope(NULL, "x.scope", 0, 0, &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_new_scope(NULL, NULL, -1, 0, &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_new_scope(NULL, NULL, 0, 4, &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_context_new_scope(NULL, NULL, 0, CGROUPS_SCOPE_SYSTEM | CGROUPS_SCOPE_USER,
                                    &ctx) == CGROUPS_E_INVALID_ARGUMENT);
    if (access("/run/systemd/system", F_OK) != 0) {
        /* PID 1 is not systemd: refused, and the caller is not moved. */
        CHECK(cgroups_context_new_scope(NULL, NULL, 0, 0, &ctx) == CGROUPS_E_UNSUPPORTED);
        CHECK(strstr(cgroups_last_error(), "systemd") != NULL);
    }
    CHECK(ctx == NULL);
}

static void test_limits_and_their_bad_values(void) {
    cgroups_cgroup *cg = open_group("limits");
    double percent = -1;
    uint64_t bytes = 0;

    CHECK(cgroups_set_cpu_limit(cg, 50) == CGROUPS_OK);
    CHECK(cgroups_cpu_limit(cg, &percent) == CGROUPS_OK && percent == 50);
    const double bad_percents[] = {0, -1, 100.5, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad_percents / sizeof *bad_percents; i++)
        CHECK(cgroups_set_cpu_limit(cg, bad_percents[i]) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_cpu_limit(cg, &percent) == CGROUPS_OK && percent == 50);
    CHECK(cgroups_reset_cpu_limit(cg) == CGROUPS_OK);
    CHECK(cgroups_cpu_limit(cg, &percent) == CGROUPS_OK && percent == 100);

    CHECK(cgroups_memory_limit(cg, &bytes) == CGROUPS_OK && bytes == CGROUPS_UNLIMITED);
    CHECK(cgroups_set_memory_limit(cg, 500, CGROUPS_MEGABYTES) == CGROUPS_OK);
    CHECK(cgroups_memory_limit(cg, &bytes) == CGROUPS_OK && bytes == 500ull << 20);
    CHECK(cgroups_set_memory_limit(cg, UINT64_MAX, CGROUPS_GIGABYTES) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_memory_limit(cg, 0, CGROUPS_BYTES) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_memory_limit(cg, 1, 7) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(strstr(cgroups_last_error(), "unit") != NULL);
    CHECK(cgroups_memory_limit(cg, &bytes) == CGROUPS_OK && bytes == 500ull << 20);
    CHECK(cgroups_reset_memory_limit(cg) == CGROUPS_OK);
    CHECK(cgroups_memory_limit(cg, &bytes) == CGROUPS_OK && bytes == CGROUPS_UNLIMITED);

    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_membership(void) {
    cgroups_cgroup *cg = open_group("members");
    pid_t sleeper = start_sleeper();
    pid_t *pids = NULL;
    size_t count = 99;

    CHECK(cgroups_pids(cg, &pids, &count) == CGROUPS_OK && count == 0 && pids == NULL);
    CHECK(cgroups_add(cg, sleeper) == CGROUPS_OK);
    CHECK(cgroups_add(cg, sleeper) == CGROUPS_OK);
    CHECK(cgroups_pids(cg, &pids, &count) == CGROUPS_OK && count == 1 && pids[0] == sleeper);
    cgroups_pids_free(pids, count);
    CHECK(cgroups_add(cg, dead_pid()) == CGROUPS_E_NO_SUCH_PROCESS);
    CHECK(cgroups_last_errno() == ESRCH);
    CHECK(cgroups_add(cg, 0) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_add(cg, -1) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_remove(cg, dead_pid()) == CGROUPS_E_NO_SUCH_PROCESS);
    CHECK(cgroups_remove(cg, sleeper) == CGROUPS_OK);
    CHECK(cgroups_remove(cg, sleeper) == CGROUPS_OK);
    CHECK(cgroups_pids(cg, &pids, &count) == CGROUPS_OK && count == 0);

    pid_t child = fork();
    if (child == 0) {
        if (cgroups_attach_self(cg) != CGROUPS_OK)
            _exit(1);
        execlp("sleep", "sleep", "600", (char *)NULL);
        _exit(127);
    }
    int attached = 0;
    for (int i = 0; i < 200 && !attached; i++) {
        CHECK(cgroups_pids(cg, &pids, &count) == CGROUPS_OK);
        attached = contains(pids, count, child);
        cgroups_pids_free(pids, count);
        if (!attached)
            usleep(5000);
    }
    CHECK(attached);

    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    CHECK(kill(child, 0) == 0);
    stop(child);
    stop(sleeper);
    cgroups_free(cg);
}

static void test_a_vanished_group_is_not_found_everywhere(void) {
    cgroups_cgroup *cg = open_group("vanished");
    cgroups_cgroup *other = open_group("vanished");
    pid_t sleeper = start_sleeper();
    pid_t *pids = NULL;
    size_t count = 0;
    double percent = -1;
    uint64_t bytes = 7;

    CHECK(cgroups_delete(other) == CGROUPS_OK);
    cgroups_free(other);
    CHECK(cgroups_add(cg, sleeper) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_remove(cg, sleeper) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_pids(cg, &pids, &count) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_set_cpu_limit(cg, 50) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_reset_cpu_limit(cg) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_cpu_limit(cg, &percent) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_set_memory_limit(cg, 1, CGROUPS_MEGABYTES) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_reset_memory_limit(cg) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_memory_limit(cg, &bytes) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_delete(cg) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_attach_self(cg) == CGROUPS_E_NOT_FOUND && cgroups_last_errno() == ENOENT);
    CHECK(pids == NULL && percent == -1 && bytes == 7);
    stop(sleeper);
    cgroups_free(cg);
}

#define THREADS 6
#define ROUNDS 10

static cgroups_cgroup *shared;

static void *use_shared_handle(void *arg) {
    pid_t pid = *(pid_t *)arg;
    for (int round = 0; round < ROUNDS; round++) {
        CHECK(cgroups_add(shared, pid) == CGROUPS_OK);
        CHECK(cgroups_set_cpu_limit(shared, 10 + round) == CGROUPS_OK);
        CHECK(cgroups_remove(shared, pid) == CGROUPS_OK);
    }
    return NULL;
}

static void *use_own_handles(void *arg) {
    int index = *(int *)arg;
    for (int round = 0; round < ROUNDS; round++) {
        char name[32];
        snprintf(name, sizeof name, "thread-%d-%d", index, round);
        cgroups_cgroup *cg = NULL;
        CHECK(cgroups_open_at(base, name, CPU_MEM, NULL, &cg) == CGROUPS_OK);
        CHECK(cgroups_set_memory_limit(cg, 64, CGROUPS_MEGABYTES) == CGROUPS_OK);
        CHECK(cgroups_set_cpu_limit(cg, 0) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(strstr(cgroups_last_error(), "percentage") != NULL);
        CHECK(cgroups_delete(cg) == CGROUPS_OK);
        cgroups_free(cg);
    }
    return NULL;
}

static void test_threads(void) {
    pthread_t threads[THREADS];
    pid_t sleepers[THREADS];
    int indexes[THREADS];

    shared = open_group("threads-shared");
    for (int i = 0; i < THREADS; i++) {
        sleepers[i] = start_sleeper();
        CHECK(pthread_create(&threads[i], NULL, use_shared_handle, &sleepers[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < THREADS; i++) {
        indexes[i] = i;
        CHECK(pthread_create(&threads[i], NULL, use_own_handles, &indexes[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    CHECK(cgroups_delete(shared) == CGROUPS_OK);
    cgroups_free(shared);
    for (int i = 0; i < THREADS; i++)
        stop(sleepers[i]);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE\n", argv[0]);
        return 2;
    }
    base = argv[1];
    test_version_macros_match_the_library();
    test_strerror_accepts_any_int();
    test_null_arguments_are_refused();
    test_bad_open_arguments_get_their_own_status_and_create_nothing();
    test_a_context_opens_groups_and_checks_its_arguments();
    test_user_setup_and_the_own_cgroup_context_check_their_arguments();
    test_scope_requests_check_their_arguments_before_asking_systemd();
    test_limits_and_their_bad_values();
    test_membership();
    test_a_vanished_group_is_not_found_everywhere();
    test_threads();
    return checks_done("test_api");
}
