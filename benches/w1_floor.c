/* W1 floor: plain C doing only the necessary mkdir/open/write/read/close/rmdir, with every path
 * computed before the timed loop.
 * usage: w1_floor N v1|v2 CPU_USER_DIR MEMORY_USER_DIR
 * (the user's directories in the cpu and memory hierarchies; the same directory on v2, where
 * processes leave to the user's leaf, cgroups.user). */
#include "bench.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

static void write_file(const char *path, const char *value) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        die(path);
    close(fd);
}

static void read_file(const char *path) {
    char buffer[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buffer, sizeof buffer) < 0)
        die(path);
    close(fd);
}

/* dir + "/" + file into out (PATH_MAX bytes); a path that does not fit stops the benchmark. */
static void join(char *out, const char *dir, const char *file) {
    int length = snprintf(out, 4096, "%s/%s", dir, file);
    if (length < 0 || length >= 4096) {
        fprintf(stderr, "path too long: %s/%s\n", dir, file);
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc != 5)
        return 2;
    long cycles = atol(argv[1]);
    int v2 = strcmp(argv[2], "v2") == 0;
    char cpu_group[4096], memory_group[4096], cpu_file[4096], memory_file[4096], cpu_procs[4096],
        memory_procs[4096], cpu_out[4096], memory_out[4096], pid_text[32];
    join(cpu_group, argv[3], "w1-floor");
    join(memory_group, argv[4], "w1-floor");
    join(cpu_file, cpu_group, v2 ? "cpu.weight" : "cpu.shares");
    join(memory_file, memory_group, v2 ? "memory.max" : "memory.limit_in_bytes");
    join(cpu_procs, cpu_group, "cgroup.procs");
    join(memory_procs, memory_group, "cgroup.procs");
    join(cpu_out, argv[3], v2 ? "cgroups.user/cgroup.procs" : "cgroup.procs");
    join(memory_out, argv[4], "cgroup.procs");
    pid_t sleeper = start_sleeper();
    snprintf(pid_text, sizeof pid_text, "%d", (int)sleeper);

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        if (mkdir(cpu_group, 0755) != 0 || (!v2 && mkdir(memory_group, 0755) != 0))
            die("mkdir");
        write_file(cpu_file, v2 ? "50" : "512");
        write_file(memory_file, "524288000");
        write_file(cpu_procs, pid_text);
        if (!v2)
            write_file(memory_procs, pid_text);
        read_file(cpu_file);
        read_file(memory_file);
        write_file(cpu_out, pid_text);
        if (!v2)
            write_file(memory_out, pid_text);
        if (rmdir(cpu_group) != 0 || (!v2 && rmdir(memory_group) != 0))
            die("rmdir");
    }
    bench_report(clock, cycles);
    stop(sleeper);
    return 0;
}
