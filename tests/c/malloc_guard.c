/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* An LD_PRELOAD library that aborts the process on any allocation once malloc_guard_forbid()
 * was called: run a child between fork() and exec() under it to prove that what it calls does
 * not allocate. Used by tests/c/test_attach_nomalloc.c. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static volatile sig_atomic_t forbidden;

/* After this call, every allocation aborts the process. Call it in a child after fork(). */
void malloc_guard_forbid(void) { forbidden = 1; }

static void check(const char *what) {
    if (forbidden) {
        static const char prefix[] = "malloc_guard: allocation after fork: ";
        (void)!write(2, prefix, sizeof prefix - 1);
        size_t n = 0;
        while (what[n] != '\0')
            n++;
        (void)!write(2, what, n);
        (void)!write(2, "\n", 1);
        signal(SIGABRT, SIG_DFL);
        raise(SIGABRT);
        _exit(134);
    }
}

void *malloc(size_t size) {
    check("malloc");
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    check("calloc");
    return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size) {
    check("realloc");
    return __libc_realloc(ptr, size);
}

void *memalign(size_t alignment, size_t size) {
    check("memalign");
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    check("aligned_alloc");
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    check("posix_memalign");
    void *ptr = __libc_memalign(alignment, size);
    if (ptr == NULL)
        return ENOMEM;
    *out = ptr;
    return 0;
}
