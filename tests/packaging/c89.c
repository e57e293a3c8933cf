/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The header in strict C89 (tests/packaging/run builds this with -std=c89 -pedantic-errors):
 * its types, enum and macros in use. Run with a base that is no cgroup mount, it prints the
 * library's version and the status of the failed open, and succeeds. */
#include <cgroups.h>

#include <stdio.h>

int main(int argc, char **argv) {
    cgroups_cgroup *cg = NULL;
    cgroups_status status;
    uint64_t bytes = CGROUPS_UNLIMITED;
    cgroups_unit unit = CGROUPS_GIGABYTES;

    if (argc != 2)
        return 2;
    status = (cgroups_status)cgroups_open_at(argv[1], "c89", CGROUPS_CPU | CGROUPS_MEMORY, NULL,
                                             &cg);
    printf("libcgroups %s (header %d.%d.%d): %s\n", cgroups_version(), CGROUPS_VERSION_MAJOR,
           CGROUPS_VERSION_MINOR, CGROUPS_VERSION_PATCH, cgroups_strerror(status));
    cgroups_free(cg);
    return status == CGROUPS_E_NOT_MOUNTED && bytes == (uint64_t)-1 && unit == 3 ? 0 : 1;
}
