/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* W2 floors in plain C: read the same files as the API for GROUPS groups, PASSES times over,
 * and parse the numbers. `openat`: openat/read/close relative to each group's directory,
 * held open; `pread`: one pread per file on descriptors opened before the timed loop.
 * Each DIR FILES pair is the directory holding the groups g0 ... in one hierarchy and the
 * comma-separated files read there (v1 here: memory.usage_in_bytes in the memory hierarchy,
 * cpuacct.usage,cpuacct.stat in the cpuacct one; v2: memory.current,cpu.stat).
 * usage: w2_floor openat|pread PASSES GROUPS DIR FILES [DIR FILES] */
#include "bench.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#define MAX_FILES 8

struct file_set {
    int count;
    const char *names[MAX_FILES];
};

static struct file_set split(char *list) {
    struct file_set set = {0};
    for (char *name = strtok(list, ","); name != NULL && set.count < MAX_FILES; name = strtok(NULL, ","))
        set.names[set.count++] = name;
    return set;
}

/* What the API does with a file's content: parse its numbers. */
static uint64_t parse(const char *text, ssize_t length) {
    uint64_t sum = 0;
    for (ssize_t i = 0; i < length; i++)
        if (text[i] >= '0' && text[i] <= '9') {
            char *end;
            sum += strtoull(text + i, &end, 10);
            i = end - text;
        }
    return sum;
}

int main(int argc, char **argv) {
    if (argc < 6 || argc % 2 != 0)
        return 2;
    int use_pread = strcmp(argv[1], "pread") == 0;
    long passes = atol(argv[2]), groups = atol(argv[3]);
    int hierarchies = (argc - 4) / 2;
    raise_nofile_limit();
    struct file_set sets[4];
    int *dirs = calloc((size_t)(groups * hierarchies), sizeof *dirs);
    int *kept = calloc((size_t)(groups * hierarchies * MAX_FILES), sizeof *kept);
    if (dirs == NULL || kept == NULL || hierarchies > 4)
        die("setup");
    for (int h = 0; h < hierarchies; h++) {
        sets[h] = split(argv[5 + 2 * h]);
        for (long i = 0; i < groups; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/g%ld", argv[4 + 2 * h], i);
            int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (dir < 0)
                die(path);
            dirs[i * hierarchies + h] = dir;
            for (int f = 0; use_pread && f < sets[h].count; f++) {
                int fd = openat(dir, sets[h].names[f], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                    die(sets[h].names[f]);
                kept[(i * hierarchies + h) * MAX_FILES + f] = fd;
            }
        }
    }
    uint64_t sum = 0;
    char buffer[4096];
    struct bench_clock clock = bench_start();
    for (long pass = 0; pass < passes; pass++) {
        for (long i = 0; i < groups; i++) {
            for (int h = 0; h < hierarchies; h++) {
                for (int f = 0; f < sets[h].count; f++) {
                    ssize_t got;
                    if (use_pread) {
                        got = pread(kept[(i * hierarchies + h) * MAX_FILES + f], buffer, sizeof buffer, 0);
                    } else {
                        int fd = openat(dirs[i * hierarchies + h], sets[h].names[f], O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                            die(sets[h].names[f]);
                        got = read(fd, buffer, sizeof buffer);
                        close(fd);
                    }
                    if (got < 0)
                        die("read");
                    sum += parse(buffer, got);
                }
            }
        }
    }
    bench_report(clock, passes * groups);
    if (sum == 1)
        puts("");
    return 0;
}
