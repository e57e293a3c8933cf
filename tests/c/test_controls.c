/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* C API tests of the controls: CPU cap, pids, memory high and swap, cpuset, io, freezer, kill
 * and wait_empty; success, bad input, unsupported and missing-controller branches.
 * Usage: test_controls BASE  (a base owned by the test run: see tests/c_programs.rs). Root. */
#include "check.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *base;

static cgroups_cgroup *open_group(const char *name, uint32_t controllers) {
    return open_group_at(base, name, controllers);
}

/* Starts `script` with sh inside the group (attached between fork and exec). */
static pid_t start_in(cgroups_cgroup *cg, const char *script) {
    pid_t pid = fork();
    if (pid == 0) {
        if (cgroups_attach_self(cg) != CGROUPS_OK)
            _exit(126);
        execl("/bin/sh", "sh", "-c", script, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static size_t member_count(cgroups_cgroup *cg) {
    pid_t *pids = NULL;
    size_t count = 0;
    if (cgroups_pids(cg, &pids, &count) != CGROUPS_OK)
        return 0;
    cgroups_pids_free(pids, count);
    return count;
}

/* Waits until the group has held at least `count` members (for at most 20 s); returns whether
 * it did. */
static int wait_for_members(cgroups_cgroup *cg, size_t count) {
    for (int i = 0; i < 2000; i++) {
        if (member_count(cg) >= count)
            return 1;
        usleep(10000);
    }
    return 0;
}

static void test_null_arguments_are_refused(void) {
    cgroups_cgroup *cg = open_group("null-args", CGROUPS_ALL);
    double cpus = -1;
    uint64_t value = 7;
    int frozen = 7;
    char *text = NULL;

    CHECK(cgroups_set_cpu_max(NULL, 1) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_cpu_max(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpu_max(NULL, &cpus) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpu_max(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_pids_limit(NULL, 1) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_pids_limit(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_pids_limit(NULL, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_pids_limit(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_memory_high(NULL, 1, CGROUPS_MEGABYTES) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_memory_high(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_memory_high(NULL, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_memory_high(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_swap_limit(NULL, 1, CGROUPS_MEGABYTES) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_reset_swap_limit(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_swap_limit(NULL, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_swap_limit(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_cpuset(NULL, "0", "0") == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpuset(NULL, &text, &text) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpuset(cg, NULL, &text) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_cpuset(cg, &text, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_io_max(NULL, "8:0", 2, 2, 2, 2) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_set_io_max(cg, NULL, 2, 2, 2, 2) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_io_max(NULL, "8:0", &value, &value, &value, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_io_max(cg, NULL, &value, &value, &value, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_io_max(cg, "8:0", NULL, &value, &value, &value) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_io_max(cg, "8:0", &value, &value, &value, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_freeze(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_thaw(NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_frozen(NULL, &frozen) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_frozen(cg, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_kill(NULL, SIGKILL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_wait_empty(NULL, 0) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cpus == -1 && value == 7 && frozen == 7 && text == NULL);
    cgroups_string_free(NULL);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_timed_out_has_its_own_status(void) {
    CHECK(CGROUPS_E_TIMED_OUT == 13);
    CHECK(strcmp(cgroups_strerror(CGROUPS_E_TIMED_OUT), "timed out") == 0);
    CHECK(strcmp(cgroups_strerror(14), "unknown status") == 0);
}

static void test_cpu_cap(void) {
    cgroups_cgroup *cg = open_group("cpu-max", CGROUPS_CPU);
    double cpus = 0;

    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_OK && isinf(cpus) && cpus > 0);
    CHECK(cgroups_set_cpu_max(cg, 1.5) == CGROUPS_OK);
    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_OK && cpus == 1.5);
    const double bad[] = {0, -1, 0.0099, NAN, INFINITY, -INFINITY, 1e12};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(cgroups_set_cpu_max(cg, bad[i]) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_OK && cpus == 1.5);
    CHECK(cgroups_set_cpu_max(cg, 0.25) == CGROUPS_OK);
    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_OK && cpus == 0.25);
    CHECK(cgroups_reset_cpu_max(cg) == CGROUPS_OK);
    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_OK && isinf(cpus));
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_pids_limit(void) {
    cgroups_cgroup *cg = open_group("pids", CGROUPS_PIDS);
    uint64_t max = 0;

    CHECK(cgroups_pids_limit(cg, &max) == CGROUPS_OK && max == CGROUPS_UNLIMITED);
    CHECK(cgroups_set_pids_limit(cg, 32) == CGROUPS_OK);
    CHECK(cgroups_pids_limit(cg, &max) == CGROUPS_OK && max == 32);
    CHECK(cgroups_set_pids_limit(cg, 0) == CGROUPS_OK);
    CHECK(cgroups_pids_limit(cg, &max) == CGROUPS_OK && max == 0);
    CHECK(cgroups_set_pids_limit(cg, 4194305) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_pids_limit(cg, CGROUPS_UNLIMITED) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_pids_limit(cg, &max) == CGROUPS_OK && max == 0);
    CHECK(cgroups_reset_pids_limit(cg) == CGROUPS_OK);
    CHECK(cgroups_pids_limit(cg, &max) == CGROUPS_OK && max == CGROUPS_UNLIMITED);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_memory_high_and_swap(void) {
    cgroups_cgroup *cg = open_group("memory", CGROUPS_MEMORY);
    uint64_t bytes = 7;

    int status = cgroups_set_memory_high(cg, 256, CGROUPS_MEGABYTES);
    if (status == CGROUPS_E_UNSUPPORTED) {
        printf("memory.high: unsupported branch (cgroup v1)\n");
        CHECK(strstr(cgroups_last_error(), "memory.high") != NULL);
        CHECK(cgroups_memory_high(cg, &bytes) == CGROUPS_E_UNSUPPORTED);
        CHECK(cgroups_reset_memory_high(cg) == CGROUPS_E_UNSUPPORTED);
        CHECK(bytes == 7);
    } else {
        printf("memory.high: supported branch (cgroup v2)\n");
        CHECK(status == CGROUPS_OK);
        CHECK(cgroups_memory_high(cg, &bytes) == CGROUPS_OK && bytes == 256ull << 20);
        CHECK(cgroups_set_memory_high(cg, 0, CGROUPS_BYTES) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(cgroups_set_memory_high(cg, 1, 9) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(cgroups_memory_high(cg, &bytes) == CGROUPS_OK && bytes == 256ull << 20);
        CHECK(cgroups_reset_memory_high(cg) == CGROUPS_OK);
        CHECK(cgroups_memory_high(cg, &bytes) == CGROUPS_OK && bytes == CGROUPS_UNLIMITED);
    }

    CHECK(cgroups_set_memory_limit(cg, 128, CGROUPS_MEGABYTES) == CGROUPS_OK);
    bytes = 7;
    status = cgroups_set_swap_limit(cg, 64, CGROUPS_MEGABYTES);
    if (status == CGROUPS_E_UNSUPPORTED) {
        printf("swap: unsupported branch (no swap accounting)\n");
        CHECK(strstr(cgroups_last_error(), "swap") != NULL);
        CHECK(cgroups_swap_limit(cg, &bytes) == CGROUPS_E_UNSUPPORTED && bytes == 7);
        CHECK(cgroups_reset_swap_limit(cg) == CGROUPS_E_UNSUPPORTED);
    } else {
        printf("swap: supported branch\n");
        CHECK(status == CGROUPS_OK);
        CHECK(cgroups_swap_limit(cg, &bytes) == CGROUPS_OK && bytes == 64ull << 20);
        /* On v1 the swap amount survives a change of the memory limit. */
        CHECK(cgroups_set_memory_limit(cg, 256, CGROUPS_MEGABYTES) == CGROUPS_OK);
        CHECK(cgroups_swap_limit(cg, &bytes) == CGROUPS_OK && bytes == 64ull << 20);
        CHECK(cgroups_set_swap_limit(cg, 0, CGROUPS_BYTES) == CGROUPS_OK);
        CHECK(cgroups_swap_limit(cg, &bytes) == CGROUPS_OK && bytes == 0);
        CHECK(cgroups_set_swap_limit(cg, UINT64_MAX, CGROUPS_KILOBYTES) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(cgroups_reset_swap_limit(cg) == CGROUPS_OK);
        CHECK(cgroups_swap_limit(cg, &bytes) == CGROUPS_OK && bytes == CGROUPS_UNLIMITED);
    }
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_cpuset(void) {
    cgroups_cgroup *cg = open_group("cpuset", CGROUPS_CPUSET);
    char *cpus = NULL, *mems = NULL;

    CHECK(cgroups_set_cpuset(cg, "0", "0") == CGROUPS_OK);
    CHECK(cgroups_cpuset(cg, &cpus, &mems) == CGROUPS_OK);
    CHECK(cpus != NULL && strcmp(cpus, "0") == 0);
    CHECK(mems != NULL && strcmp(mems, "0") == 0);
    cgroups_string_free(cpus);
    cgroups_string_free(mems);
    CHECK(cgroups_set_cpuset(cg, "3-1", NULL) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_cpuset(cg, NULL, "x") == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_cpuset(cg, "0", "8000") == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_cpuset(cg, NULL, NULL) == CGROUPS_OK);
    cpus = mems = NULL;
    CHECK(cgroups_cpuset(cg, &cpus, &mems) == CGROUPS_OK);
    CHECK(cpus != NULL && strcmp(cpus, "0") == 0 && mems != NULL && strcmp(mems, "0") == 0);
    cgroups_string_free(cpus);
    cgroups_string_free(mems);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

/* The first whole disk in /sys/block as "MAJ:MIN", or 0 when there is none. */
static int a_whole_disk(char *device, size_t size) {
    DIR *dir = opendir("/sys/block");
    struct dirent *entry;
    int found = 0;
    while (dir != NULL && !found && (entry = readdir(dir)) != NULL) {
        char path[512];
        if (entry->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/sys/block/%s/dev", entry->d_name);
        FILE *file = fopen(path, "r");
        if (file == NULL)
            continue;
        found = fgets(device, (int)size, file) != NULL;
        fclose(file);
        device[strcspn(device, "\n")] = '\0';
    }
    if (dir != NULL)
        closedir(dir);
    return found;
}

static void test_io_caps(void) {
    cgroups_cgroup *cg = open_group("io", CGROUPS_IO);
    uint64_t rbps = 7, wbps = 7, riops = 7, wiops = 7;
    char device[64];

    CHECK(cgroups_set_io_max(cg, "/dev/null", 2, 2, 2, 2) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_set_io_max(cg, "4095:1048575", 2, 2, 2, 2) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_io_max(cg, "nonsense", &rbps, &wbps, &riops, &wiops) == CGROUPS_E_INVALID_ARGUMENT);
    if (!a_whole_disk(device, sizeof device)) {
        printf("SKIPPED: no block device: only the bad-device branch ran\n");
    } else {
        CHECK(cgroups_io_max(cg, device, &rbps, &wbps, &riops, &wiops) == CGROUPS_OK);
        CHECK(rbps == CGROUPS_UNLIMITED && wbps == CGROUPS_UNLIMITED && riops == CGROUPS_UNLIMITED &&
              wiops == CGROUPS_UNLIMITED);
        CHECK(cgroups_set_io_max(cg, device, 1 << 20, CGROUPS_UNLIMITED, 100, CGROUPS_UNLIMITED) == CGROUPS_OK);
        CHECK(cgroups_io_max(cg, device, &rbps, &wbps, &riops, &wiops) == CGROUPS_OK);
        CHECK(rbps == 1 << 20 && wbps == CGROUPS_UNLIMITED && riops == 100 && wiops == CGROUPS_UNLIMITED);
        CHECK(cgroups_set_io_max(cg, device, 1, 2, 2, 2) == CGROUPS_E_INVALID_ARGUMENT);
        CHECK(cgroups_io_max(cg, device, &rbps, &wbps, &riops, &wiops) == CGROUPS_OK && rbps == 1 << 20);
        CHECK(cgroups_set_io_max(cg, device, CGROUPS_UNLIMITED, CGROUPS_UNLIMITED, CGROUPS_UNLIMITED,
                                 CGROUPS_UNLIMITED) == CGROUPS_OK);
        CHECK(cgroups_io_max(cg, device, &rbps, &wbps, &riops, &wiops) == CGROUPS_OK &&
              rbps == CGROUPS_UNLIMITED && riops == CGROUPS_UNLIMITED);
    }
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_freeze_and_thaw(void) {
    cgroups_cgroup *cg = open_group("freezer", CGROUPS_FREEZER);
    pid_t sleeper = start_in(cg, "exec sleep 600");
    int frozen = 7;

    CHECK(wait_for_members(cg, 1));
    CHECK(cgroups_frozen(cg, &frozen) == CGROUPS_OK && frozen == 0);
    CHECK(cgroups_freeze(cg) == CGROUPS_OK);
    CHECK(cgroups_frozen(cg, &frozen) == CGROUPS_OK && frozen == 1);
    CHECK(cgroups_thaw(cg) == CGROUPS_OK);
    CHECK(cgroups_frozen(cg, &frozen) == CGROUPS_OK && frozen == 0);
    kill(sleeper, SIGKILL);
    waitpid(sleeper, NULL, 0);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

/* A shell that keeps forking until the pids limit stops it; killed with `signal`. */
static void kill_a_fork_bomb(int signal) {
    cgroups_cgroup *cg = open_group(signal == SIGKILL ? "bomb-kill" : "bomb-term", CGROUPS_ALL);
    CHECK(cgroups_set_pids_limit(cg, 32) == CGROUPS_OK);
    pid_t bomb = start_in(cg, "while :; do (sleep 600 &) 2>/dev/null; done");
    CHECK(wait_for_members(cg, 16));
    CHECK(cgroups_kill(cg, signal) == CGROUPS_OK);
    CHECK(cgroups_wait_empty(cg, 20000) == CGROUPS_OK);
    CHECK(member_count(cg) == 0);
    int status = 0;
    CHECK(waitpid(bomb, &status, 0) == bomb && WIFSIGNALED(status) && WTERMSIG(status) == signal);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_kill_and_wait_empty(void) {
    kill_a_fork_bomb(SIGKILL);
    kill_a_fork_bomb(SIGTERM);

    cgroups_cgroup *cg = open_group("wait", CGROUPS_ALL);
    CHECK(cgroups_wait_empty(cg, 0) == CGROUPS_OK);
    CHECK(cgroups_wait_empty(cg, -1) == CGROUPS_OK);
    pid_t sleeper = start_in(cg, "exec sleep 600");
    CHECK(wait_for_members(cg, 1));
    CHECK(cgroups_wait_empty(cg, 100) == CGROUPS_E_TIMED_OUT);
    CHECK(cgroups_wait_empty(cg, -2) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_kill(cg, 0) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_kill(cg, -1) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_kill(cg, 65) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(kill(sleeper, 0) == 0);
    /* delete never kills */
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    CHECK(kill(sleeper, 0) == 0);
    kill(sleeper, SIGKILL);
    waitpid(sleeper, NULL, 0);
    cgroups_free(cg);
}

static void test_controllers_the_handle_lacks_are_named(void) {
    cgroups_cgroup *cg = open_group("cpu-only", CGROUPS_CPU);
    uint64_t value = 0;
    char *cpus = NULL, *mems = NULL;
    int frozen = 0;

    CHECK(cgroups_set_pids_limit(cg, 3) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(strstr(cgroups_last_error(), "pids") != NULL);
    CHECK(cgroups_pids_limit(cg, &value) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(cgroups_set_memory_high(cg, 1, CGROUPS_GIGABYTES) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(strstr(cgroups_last_error(), "memory") != NULL);
    CHECK(cgroups_swap_limit(cg, &value) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(cgroups_cpuset(cg, &cpus, &mems) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(strstr(cgroups_last_error(), "cpuset") != NULL);
    CHECK(cgroups_io_max(cg, "8:0", &value, &value, &value, &value) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(strstr(cgroups_last_error(), "io") != NULL);
    CHECK(cgroups_freeze(cg) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(strstr(cgroups_last_error(), "freezer") != NULL);
    CHECK(cgroups_frozen(cg, &frozen) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(cpus == NULL && mems == NULL);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
}

static void test_a_vanished_group_is_not_found(void) {
    cgroups_cgroup *cg = open_group("vanished", CGROUPS_ALL);
    cgroups_cgroup *other = open_group("vanished", CGROUPS_ALL);
    double cpus = 0;
    uint64_t value = 0;
    int frozen = 0;
    char *cpu_list = NULL, *mem_list = NULL;

    CHECK(cgroups_delete(other) == CGROUPS_OK);
    cgroups_free(other);
    CHECK(cgroups_set_cpu_max(cg, 1) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_cpu_max(cg, &cpus) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_set_pids_limit(cg, 3) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_pids_limit(cg, &value) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_cpuset(cg, &cpu_list, &mem_list) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_freeze(cg) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_frozen(cg, &frozen) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_kill(cg, SIGKILL) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_kill(cg, SIGTERM) == CGROUPS_E_NOT_FOUND);
    CHECK(cgroups_wait_empty(cg, 0) == CGROUPS_E_NOT_FOUND);
    CHECK(cpu_list == NULL);
    cgroups_free(cg);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE\n", argv[0]);
        return 2;
    }
    base = argv[1];
    test_null_arguments_are_refused();
    test_timed_out_has_its_own_status();
    test_cpu_cap();
    test_pids_limit();
    test_memory_high_and_swap();
    test_cpuset();
    test_io_caps();
    test_freeze_and_thaw();
    test_kill_and_wait_empty();
    test_controllers_the_handle_lacks_are_named();
    test_a_vanished_group_is_not_found();
    return checks_done("test_controls");
}
