/* W3: start /bin/true inside a group and reap it, three ways.
 * usage: w3_spawn N api BASE | w3_spawn N floor PROCS [PROCS] | w3_spawn N nogroup */
#include "bench.h"

#include <cgroups.h>
#include <fcntl.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3)
        return 2;
    long cycles = atol(argv[1]);
    const char *mode = argv[2];
    cgroups_context *ctx = NULL;
    cgroups_cgroup *cg = NULL;
    if (strcmp(mode, "api") == 0 && (argc != 4 || cgroups_context_new(argv[3], NULL, &ctx) != CGROUPS_OK ||
                                     cgroups_context_open(ctx, "w3-api", CGROUPS_CPU | CGROUPS_MEMORY, &cg) != CGROUPS_OK)) {
        fprintf(stderr, "open: %s\n", cgroups_last_error());
        return 1;
    }
    char *const true_argv[] = {"true", NULL};

    struct bench_clock clock = bench_start();
    for (long i = 0; i < cycles; i++) {
        pid_t pid = fork();
        if (pid == 0) {
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
            execv("/bin/true", true_argv);
            _exit(127);
        }
        int status;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            die("child");
    }
    bench_report(clock, cycles);
    if (cg != NULL) {
        cgroups_delete(cg);
        cgroups_free(cg);
        cgroups_context_free(ctx);
    }
    return 0;
}
