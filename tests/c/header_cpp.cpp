/* SPDX-License-Identifier: MIT OR Apache-2.0 */
// The header compiles as C++ as it is (cpp_compat: an extern "C" guard).
#include <cgroups.h>

#include <cstdio>

int main() {
    std::printf("%s\n", cgroups_version());
    return CGROUPS_OK;
}
