/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W1 floor: the strictest plain-C version of the W1 cycle, making only the system calls the work
 * needs: mkdirat/openat relative to directory descriptors held open, one O_RDWR descriptor per
 * value (written, then read back with pread), the move out through a kept descriptor of the
 * user's cgroup.procs, and rmdir. v1 (cpu and memory hierarchies): 20 calls per cycle; v2: 14.
 * usage: w1_floor N v1|v2 CPU_USER_DIR MEMORY_USER_DIR
 * (the user's directories in the cpu and memory hierarchies; the same directory on v2, where
 * processes leave to the user's leaf, cgroups.user). */
#include "bench.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static int open_or_die(int dir, const char *path, int flags) {
    int fd = openat(dir, path, flags | O_CLOEXEC);
    if (fd < 0)
        die(path);
    return fd;
}

static void write_or_die(int fd, const char *value, const char *what) {
    if (write(fd, value, strlen(value)) < 0)
        die(what);
}

static void pread_or_die(int fd, const char *what) {
    char buffer[64];
    if (pread(fd, buffer, sizeof buffer, 0) < 0)
        die(what);
}

int main(int argc, char **argv) {
    if (argc != 5)
        return 2;
    long cycles = atol(argv[1]);
    int v2 = strcmp(argv[2], "v2") == 0;
    int cpu_user = open_or_die(AT_FDCWD, argv[3], O_PATH | O_DIRECTORY);
    int memory_user = open_or_die(AT_FDCWD, argv[4], O_PATH | O_DIRECTORY);
    int cpu_out = open_or_die(cpu_user, v2 ? "cgroups.user/cgroup.procs" : "cgroup.procs", O_WRONLY);
    int memory_out = v2 ? cpu_out : open_or_die(memory_user, "cgroup.procs", O_WRONLY);
    const char *cpu_file = v2 ? "w1-floor/cpu.weight" : "w1-floor/cpu.shares";
    const char *memory_file = v2 ? "w1-floor/memory.max" : "w1-floor/memory.limit_in_bytes";
    char pid_text[32];
    pid_t sleeper = start_sleeper();
    snprintf(pid_text, sizeof pid_text, "%d", (int)sleeper);

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        if (mkdirat(cpu_user, "w1-floor", 0755) != 0 || (!v2 && mkdirat(memory_user, "w1-floor", 0755) != 0))
            die("mkdirat");
        int cpu = open_or_die(cpu_user, cpu_file, O_RDWR);
        write_or_die(cpu, v2 ? "50" : "512", cpu_file);
        int memory = open_or_die(memory_user, memory_file, O_RDWR);
        write_or_die(memory, "524288000", memory_file);
        int cpu_procs = open_or_die(cpu_user, "w1-floor/cgroup.procs", O_WRONLY);
        write_or_die(cpu_procs, pid_text, "cgroup.procs");
        int memory_procs = v2 ? -1 : open_or_die(memory_user, "w1-floor/cgroup.procs", O_WRONLY);
        if (!v2)
            write_or_die(memory_procs, pid_text, "cgroup.procs");
        pread_or_die(cpu, cpu_file);
        pread_or_die(memory, memory_file);
        write_or_die(cpu_out, pid_text, "the user's cgroup.procs");
        if (!v2)
            write_or_die(memory_out, pid_text, "the user's cgroup.procs");
        close(cpu);
        close(memory);
        close(cpu_procs);
        if (!v2)
            close(memory_procs);
        if (unlinkat(cpu_user, "w1-floor", AT_REMOVEDIR) != 0 ||
            (!v2 && unlinkat(memory_user, "w1-floor", AT_REMOVEDIR) != 0))
            die("rmdir");
    }
    bench_report(clock, cycles);
    stop(sleeper);
    return 0;
}
