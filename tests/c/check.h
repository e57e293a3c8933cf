/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The C tests' harness: CHECK counts passed and failed checks (a failure prints its line and
 * the library's last error), open_group_at opens a group that the rest of a run needs, and
 * checks_done prints the totals and gives the exit status. */
#ifndef CGROUPS_TESTS_CHECK_H
#define CGROUPS_TESTS_CHECK_H

#include <cgroups.h>

#include <stdio.h>
#include <stdlib.h>

static int passed, failed;

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (cond) {                                                                    \
            passed++;                                                                  \
        } else {                                                                       \
            failed++;                                                                  \
            fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__,     \
                    __LINE__, #cond, cgroups_last_error());                            \
        }                                                                              \
    } while (0)

/* Opens `name` at `base` with `controllers`; without it the run stops here, before it starts
 * any process. */
static inline cgroups_cgroup *open_group_at(const char *base, const char *name, uint32_t controllers) {
    cgroups_cgroup *cg = NULL;
    if (cgroups_open_at(base, name, controllers, NULL, &cg) != CGROUPS_OK || cg == NULL) {
        fprintf(stderr, "cannot open %s at %s: %s\n", name, base, cgroups_last_error());
        exit(1);
    }
    return cg;
}

/* Prints "<program>: N passed, M failed"; the exit status of the run. */
static inline int checks_done(const char *program) {
    printf("%s: %d passed, %d failed\n", program, passed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
