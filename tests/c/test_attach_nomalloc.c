/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cgroups_attach_self() between fork() and exec() allocates nothing, on its success and its
 * error path, when the library is linked and when it is dlopen()ed (where touching one of the
 * library's thread-locals would allocate its TLS block in the child). The child runs from a
 * fresh thread, whose TLS of a dlopen()ed library is not allocated yet.
 * Usage: LD_PRELOAD=libmalloc_guard.so test_attach_nomalloc BASE   (built twice: linked, and
 * with -DUSE_DLOPEN as test_attach_dlopen). Run as root. */
#include <cgroups.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef int (*open_at_fn)(const char *, const char *, uint32_t, const char *, cgroups_cgroup **);
typedef int (*handle_fn)(const cgroups_cgroup *);
typedef void (*free_fn)(cgroups_cgroup *);
typedef const char *(*last_error_fn)(void);

static open_at_fn open_at;
static handle_fn attach_self, delete_group;
static free_fn free_group;
static last_error_fn last_error;
static void (*forbid)(void);
static cgroups_cgroup *present, *gone;

static void load(void) {
#ifdef USE_DLOPEN
    void *lib = dlopen("libcgroups.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        exit(1);
    }
    *(void **)&open_at = dlsym(lib, "cgroups_open_at");
    *(void **)&attach_self = dlsym(lib, "cgroups_attach_self");
    *(void **)&delete_group = dlsym(lib, "cgroups_delete");
    *(void **)&free_group = dlsym(lib, "cgroups_free");
    *(void **)&last_error = dlsym(lib, "cgroups_last_error");
#else
    open_at = cgroups_open_at;
    attach_self = cgroups_attach_self;
    delete_group = cgroups_delete;
    free_group = cgroups_free;
    last_error = cgroups_last_error;
#endif
    *(void **)&forbid = dlsym(RTLD_DEFAULT, "malloc_guard_forbid");
    if (!open_at || !attach_self || !delete_group || !free_group || !last_error || !forbid) {
        fprintf(stderr, "missing symbol (run with LD_PRELOAD=libmalloc_guard.so)\n");
        exit(1);
    }
}

/* Forks a child that forbids allocation, attaches to the deleted group (error path) and to the
 * present one (success path); returns 0 when it exited 0. */
static int fork_and_attach(void) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        forbid();
        errno = 0;
        int failed = attach_self(gone);
        int failed_errno = errno;
        int ok = attach_self(present);
        _exit(failed == CGROUPS_E_NOT_FOUND && failed_errno == ENOENT && ok == CGROUPS_OK ? 0 : 1);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "child killed by signal %d\n", WTERMSIG(status));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static void *thread_main(void *result) {
    *(int *)result = fork_and_attach();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s BASE\n", argv[0]);
        return 2;
    }
    load();
    if (open_at(argv[1], "nomalloc", CGROUPS_ALL, NULL, &present) != CGROUPS_OK ||
        open_at(argv[1], "nomalloc-gone", CGROUPS_ALL, NULL, &gone) != CGROUPS_OK ||
        delete_group(gone) != CGROUPS_OK) {
        fprintf(stderr, "setup: %s\n", last_error());
        return 1;
    }
    int from_thread = -1;
    pthread_t thread;
    if (pthread_create(&thread, NULL, thread_main, &from_thread) != 0 ||
        pthread_join(thread, NULL) != 0)
        return 1;
    int from_main = fork_and_attach();
    printf("from a new thread: %s\nfrom the main thread: %s\n", from_thread == 0 ? "ok" : "FAILED",
           from_main == 0 ? "ok" : "FAILED");
    int cleaned = delete_group(present) == CGROUPS_OK;
    free_group(present);
    free_group(gone);
    return from_thread == 0 && from_main == 0 && cleaned ? 0 : 1;
}
