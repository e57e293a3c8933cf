/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared pieces of the benchmark programs: a measured loop prints one line,
 * "cycles=N cpu=SECONDS wall=SECONDS", CPU being user+system time of the process (and of its
 * reaped children where the workload forks). */
#ifndef CGROUPS_BENCH_H
#define CGROUPS_BENCH_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct bench_clock {
    struct timespec wall;
    double cpu;
};

static inline double cpu_seconds(int who) {
    struct rusage usage;
    getrusage(who, &usage);
    return (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
           (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
}

static inline struct bench_clock bench_start(void) {
    struct bench_clock clock;
    clock.cpu = cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN);
    clock_gettime(CLOCK_MONOTONIC, &clock.wall);
    return clock;
}

static inline void bench_report(struct bench_clock start, long cycles) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double wall = (double)(now.tv_sec - start.wall.tv_sec) + (double)(now.tv_nsec - start.wall.tv_nsec) / 1e9;
    double cpu = cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN) - start.cpu;
    printf("cycles=%ld cpu=%.6f wall=%.6f\n", cycles, cpu, wall);
}

/* The process the W1 cycles move in and out: started before the timed loop. */
static inline pid_t start_sleeper(void) {
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    return pid;
}

static inline void stop(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* Monitors keep one descriptor per file and group: allow as many as the hard limit does. */
static inline void raise_nofile_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static inline void die(const char *what) {
    perror(what);
    exit(1);
}

#endif
