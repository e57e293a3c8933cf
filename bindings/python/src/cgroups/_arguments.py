# SPDX-License-Identifier: MIT OR Apache-2.0
"""Checks and conversions of Python arguments before they reach C: wrong types raise
TypeError, values C cannot carry raise InvalidArgumentError (the library checks the rest)."""

from __future__ import annotations

import math
import os
import pwd
from collections.abc import Iterable
from typing import Union

import cgroups as _package

from ._native import UNLIMITED
from .errors import InvalidArgumentError

PathLike = Union[str, "os.PathLike[str]"]
Hierarchies = Union[str, Iterable[str]]

#: Units of memory sizes, as in the original package (×1024 steps).
MEMORY_UNITS = {"bytes": 0, "kilobytes": 1, "megabytes": 2, "gigabytes": 3}

# The library's controller bit of each hierarchy name (CGROUPS_CPU …), and CGROUPS_ALL.
HIERARCHY_BITS = {"cpu": 1, "memory": 2, "pids": 4, "cpuset": 8, "io": 16, "freezer": 32}
ALL_HIERARCHIES = 0xFFFFFFFF
# The resources that have pressure files (CGROUPS_CPU, CGROUPS_MEMORY, CGROUPS_IO).
PRESSURE_RESOURCES = ("cpu", "memory", "io")

_PID_MAX = (1 << 31) - 1
_TIMEOUT_MAX_MS = (1 << 31) - 1


def invalid(reason: str) -> InvalidArgumentError:
    """The exception for an argument refused before the library sees it."""
    return InvalidArgumentError(f"invalid argument: {reason}")


def asked(hierarchies: Hierarchies) -> str | list[str]:
    """A ``hierarchies`` argument as kept: ``'all'``, one name, or a list of names."""
    return hierarchies if isinstance(hierarchies, str) else list(hierarchies)


def controllers(hierarchies: str | list[str]) -> int:
    """The controller bits of a ``hierarchies`` argument: ``'all'`` or hierarchy names."""
    if hierarchies == "all":
        return ALL_HIERARCHIES
    bits = 0
    for name in [hierarchies] if isinstance(hierarchies, str) else hierarchies:
        if name not in HIERARCHY_BITS:
            known = ", ".join(repr(known) for known in HIERARCHY_BITS)
            raise invalid(f"unknown hierarchy {name!r} (known: {known}, or 'all')")
        bits |= HIERARCHY_BITS[name]
    if not bits:
        raise invalid("no hierarchy given")
    return bits


def pressure_resource(resource: str) -> int:
    """The controller bit of a pressure resource: ``'cpu'``, ``'memory'`` or ``'io'``."""
    if resource not in PRESSURE_RESOURCES:
        known = ", ".join(repr(known) for known in PRESSURE_RESOURCES)
        raise invalid(f"no pressure for {resource!r} (known: {known})")
    return HIERARCHY_BITS[resource]


def text(value: str | None, what: str) -> bytes | None:
    """A string argument as C sees it: UTF-8 without NUL; None stays NULL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise invalid(f"{what} {value!r} contains a NUL character")
    return value.encode("utf-8")


def path(value: PathLike | None, what: str) -> bytes | None:
    """A path argument (str or os.PathLike) as C sees it; None stays NULL."""
    if value is None:
        return None
    return text(os.fsdecode(os.fspath(value)), what)


def user(name: str | None) -> bytes | None:
    """A user argument: None and ``'current'`` are the effective user (NULL)."""
    return None if name in (None, "current") else text(name, "user")


def user_name(name: str | None) -> str:
    """The user a group belongs to: the name given, or the effective user's name (its uid
    where it has no passwd entry, as the library does)."""
    if name not in (None, "current"):
        return name
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def base(value: PathLike | None) -> bytes | None:
    """An explicit base, else the package's ``BASE_CGROUPS``, else None (the host's mount)."""
    return path(value if value is not None else _package.BASE_CGROUPS, "base")


def integer(value: int, what: str, maximum: int = UNLIMITED) -> int:
    """An int in [0, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise invalid(f"{what} {value} is out of range")
    return value


def pid(value: int, allow_self: bool = False) -> int:
    """A process id that fits pid_t; 0 (the caller) only where ``allow_self``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"pid must be an int, not {type(value).__name__}")
    if not (0 if allow_self else 1) <= value <= _PID_MAX:
        raise invalid(f"pid {value} is not a process id")
    return value


def size(limit: int, unit: str, what: str) -> tuple[int, int]:
    """A memory size and its unit's number, as the ``set_memory_*`` calls take them."""
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, not {type(limit).__name__}")
    if unit not in MEMORY_UNITS:
        raise invalid(f"unknown unit {unit!r} (known: {', '.join(MEMORY_UNITS)})")
    if not 0 <= limit <= UNLIMITED:
        raise invalid(f"{what} {limit} is out of range")
    return limit, MEMORY_UNITS[unit]


def limit_or_unlimited(value: int | None, what: str) -> int:
    """A cap for C: None means none (``CGROUPS_UNLIMITED``)."""
    return UNLIMITED if value is None else integer(value, what)


def none_if_unlimited(value: int) -> int | None:
    """A value read from C: ``CGROUPS_UNLIMITED`` means none."""
    return None if value == UNLIMITED else value


def timeout_ms(seconds: float | None) -> int:
    """A timeout in seconds as the library's milliseconds: None waits forever (-1); a fraction
    of a millisecond counts as a whole one."""
    if seconds is None:
        return -1
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(seconds).__name__}")
    if not 0 <= seconds <= _TIMEOUT_MAX_MS / 1000:
        raise invalid(f"timeout {seconds} s is out of range (0 to 24 days; None waits forever)")
    return math.ceil(seconds * 1000)


def microseconds(seconds: float, what: str) -> int:
    """A duration in seconds as whole microseconds."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{what} must be a number of seconds, not {type(seconds).__name__}")
    if not 0 <= seconds < 1 << 32:
        raise invalid(f"{what} {seconds} s is out of range")
    return round(seconds * 1_000_000)
