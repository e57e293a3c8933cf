/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* C API tests of statistics, pressure and event watches: bad input on every function (nothing
 * written), the size-versioned structs, a removed group, and a watch's first read.
 * Usage: test_monitoring BASE  (a base owned by the test run: see tests/c_programs.rs). */
#include "check.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static cgroups_cgroup *open_group(const char *base, const char *name) {
    return open_group_at(base, name, CGROUPS_CPU | CGROUPS_MEMORY);
}

static void stats_arguments_are_checked_and_nothing_is_written(cgroups_cgroup *cg) {
    cgroups_stats stats, before;
    memset(&stats, 0xAB, sizeof stats);
    stats.size = sizeof stats;
    CHECK(cgroups_stats_read(NULL, CGROUPS_STAT_ALL, &stats) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_ALL, NULL) == CGROUPS_E_NULL_ARGUMENT);
    stats.size = sizeof stats - 8;
    before = stats;
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_ALL, &stats) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(memcmp(&stats, &before, sizeof stats) == 0);
    stats.size = sizeof stats;
    before = stats;
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_ALL | 512, &stats) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(memcmp(&stats, &before, sizeof stats) == 0);
}

static void stats_of_a_group_with_memory_and_cpu(cgroups_cgroup *cg) {
    cgroups_stats stats = {.size = sizeof stats};
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_ALL, &stats) == CGROUPS_OK);
    CHECK(stats.size == sizeof stats);
    CHECK((stats.present & CGROUPS_STAT_MEMORY_CURRENT) != 0);
    CHECK((stats.present & CGROUPS_STAT_MEMORY_STAT) != 0);
    CHECK((stats.present & CGROUPS_STAT_CPU_USAGE) != 0);
    CHECK((stats.present & CGROUPS_STAT_PIDS) == 0); /* not opened with pids */
    CHECK(stats.pids_current == 0);
    cgroups_stats only = {.size = sizeof only};
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_MEMORY_CURRENT, &only) == CGROUPS_OK);
    CHECK(only.present == CGROUPS_STAT_MEMORY_CURRENT);
    CHECK(only.cpu_usage_usec == 0);
}

static void a_reader_keeps_its_files_and_outlives_the_handle(const char *base) {
    cgroups_cgroup *cg = open_group(base, "reader");
    cgroups_stats_reader *reader = NULL;
    CHECK(cgroups_stats_reader_new(cg, CGROUPS_STAT_ALL + 1, &reader) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_stats_reader_new(cg, CGROUPS_STAT_MEMORY_CURRENT | CGROUPS_STAT_CPU_USAGE, NULL) ==
          CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_stats_reader_new(cg, CGROUPS_STAT_MEMORY_CURRENT | CGROUPS_STAT_CPU_USAGE, &reader) ==
          CGROUPS_OK);
    cgroups_stats stats = {.size = sizeof stats};
    CHECK(cgroups_stats_reader_read(reader, &stats) == CGROUPS_OK);
    CHECK(stats.present == (CGROUPS_STAT_MEMORY_CURRENT | CGROUPS_STAT_CPU_USAGE));
    CHECK(cgroups_stats_reader_read(NULL, &stats) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    CHECK(cgroups_stats_read(cg, CGROUPS_STAT_ALL, &stats) == CGROUPS_E_NOT_FOUND);
    cgroups_free(cg);
    CHECK(cgroups_stats_reader_read(reader, &stats) == CGROUPS_E_NOT_FOUND);
    cgroups_stats_reader_free(reader);
    cgroups_stats_reader_free(NULL);
}

static void pressure_arguments_are_checked(cgroups_cgroup *cg) {
    cgroups_pressure pressure = {.size = sizeof pressure};
    uint32_t bad[] = {0, CGROUPS_PIDS, CGROUPS_CPU | CGROUPS_MEMORY, CGROUPS_FREEZER};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(cgroups_pressure_read(cg, bad[i], &pressure) == CGROUPS_E_INVALID_ARGUMENT);
    cgroups_pressure small = {.size = 4, .some_avg10 = 42};
    CHECK(cgroups_pressure_read(cg, CGROUPS_MEMORY, &small) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(small.some_avg10 == 42);
    int status = cgroups_pressure_read(cg, CGROUPS_MEMORY, &pressure);
    /* OK where the group has a cgroup2 directory and PSI is on; UNSUPPORTED with a reason
     * (hybrid host without a cgroup2 controller, v1, PSI off). */
    CHECK(status == CGROUPS_OK || (status == CGROUPS_E_UNSUPPORTED && strlen(cgroups_last_error()) > 20));
    printf("memory pressure: %s\n", status == CGROUPS_OK ? "read" : cgroups_last_error());
    int fd = 12345;
    CHECK(cgroups_pressure_trigger(cg, CGROUPS_MEMORY, 0, 150000, 100000, &fd) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_pressure_trigger(cg, CGROUPS_MEMORY, 0, 0, 1000000, &fd) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_pressure_trigger(cg, CGROUPS_MEMORY, 1, 150000, 20000000, &fd) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_pressure_trigger(cg, CGROUPS_PIDS, 0, 150000, 1000000, &fd) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_pressure_trigger(cg, CGROUPS_MEMORY, 0, 150000, 1000000, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(fd == 12345);
    status = cgroups_pressure_trigger(cg, CGROUPS_MEMORY, 0, 150000, 1000000, &fd);
    CHECK(status == CGROUPS_OK || status == CGROUPS_E_UNSUPPORTED);
    if (status == CGROUPS_OK)
        close(fd);
}

static void watch_arguments_are_checked(cgroups_cgroup *cg) {
    cgroups_watch *w = NULL;
    CHECK(cgroups_watch_new(cg, 0, &w) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_watch_new(cg, 32, &w) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_watch_new(cg, CGROUPS_EVENT_PIDS_MAX, &w) == CGROUPS_E_CONTROLLER_UNAVAILABLE);
    CHECK(cgroups_watch_new(NULL, CGROUPS_EVENT_EMPTY, &w) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_watch_new(cg, CGROUPS_EVENT_EMPTY, NULL) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(w == NULL);
    CHECK(cgroups_watch_fd(NULL) == -1);
    cgroups_watch_free(NULL);
    uint32_t events = 77;
    CHECK(cgroups_watch_read(NULL, &events) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(cgroups_watch_wait(NULL, 0, &events) == CGROUPS_E_NULL_ARGUMENT);
    CHECK(events == 77);
}

static void a_watch_on_an_empty_group_is_readable_at_once(const char *base) {
    cgroups_cgroup *cg = open_group(base, "watched");
    cgroups_watch *w = NULL;
    CHECK(cgroups_watch_new(cg, CGROUPS_EVENT_EMPTY | CGROUPS_EVENT_OOM, &w) == CGROUPS_OK);
    struct pollfd pfd = {.fd = cgroups_watch_fd(w), .events = POLLIN};
    CHECK(pfd.fd >= 0);
    CHECK(poll(&pfd, 1, 0) == 1);
    uint32_t events = 0;
    CHECK(cgroups_watch_wait(w, -2, &events) == CGROUPS_E_INVALID_ARGUMENT);
    CHECK(cgroups_watch_wait(w, 0, &events) == CGROUPS_OK);
    CHECK(events == CGROUPS_EVENT_EMPTY);
    CHECK(cgroups_watch_read(w, &events) == CGROUPS_OK);
    CHECK(events == 0);
    events = 77;
    CHECK(cgroups_watch_wait(w, 50, &events) == CGROUPS_OK);
    CHECK(events == 0);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    CHECK(cgroups_watch_read(w, &events) == CGROUPS_E_NOT_FOUND);
    cgroups_watch_free(w);
    CHECK(cgroups_watch_new(cg, CGROUPS_EVENT_EMPTY, &w) == CGROUPS_E_NOT_FOUND);
    cgroups_free(cg);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE\n", argv[0]);
        return 2;
    }
    const char *base = argv[1];
    cgroups_cgroup *cg = open_group(base, "monitoring");
    stats_arguments_are_checked_and_nothing_is_written(cg);
    stats_of_a_group_with_memory_and_cpu(cg);
    pressure_arguments_are_checked(cg);
    watch_arguments_are_checked(cg);
    CHECK(cgroups_delete(cg) == CGROUPS_OK);
    cgroups_free(cg);
    a_reader_keeps_its_files_and_outlives_the_handle(base);
    a_watch_on_an_empty_group_is_readable_at_once(base);
    return checks_done("test_monitoring");
}
