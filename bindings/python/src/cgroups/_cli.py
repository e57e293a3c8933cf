# SPDX-License-Identifier: MIT OR Apache-2.0
"""The ``user_cgroups`` command of the original package, over ``cgroups_user_setup``."""

from __future__ import annotations

import argparse
import sys

from .cgroup import user_setup
from .errors import CgroupsError, LibraryNotFoundError


def main(argv: list[str] | None = None) -> int:
    """``user_cgroups [--base PATH] USER``: exit status 0 done, 1 failure, 2 wrong usage."""
    parser = argparse.ArgumentParser(
        prog="user_cgroups",
        description="Prepares USER's cgroup subtree (run as root): creates USER's directory in "
        "every cgroup hierarchy and hands it over under the kernel's delegation rules, so that "
        "USER can manage their own groups. Limits root sets on USER's directory keep binding "
        "all of USER's groups. Idempotent.",
    )
    parser.add_argument("user", metavar="USER", help="the user to prepare")
    parser.add_argument(
        "--base",
        metavar="PATH",
        help="the cgroup mount to use (default: the host's, from /proc/self/mountinfo)",
    )
    args = parser.parse_args(argv)
    try:
        user_setup(args.user, base=args.base)
    except (CgroupsError, LibraryNotFoundError) as err:
        print(f"user_cgroups: {err}", file=sys.stderr)
        return 1
    return 0
