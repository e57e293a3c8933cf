# SPDX-License-Identifier: MIT OR Apache-2.0
"""The C library: where it is found, and the signature of every call this package makes.

A call is added by adding its line to one of the tables below; a call that returns a status
raises the matching :mod:`cgroups.errors` exception by itself.
"""

from __future__ import annotations

import ctypes
import functools
import os
import subprocess
from collections.abc import Iterator, Sequence
from ctypes import POINTER, c_char_p, c_double, c_int, c_size_t, c_uint32, c_uint64, c_void_p
from typing import Any

from .errors import LibraryNotFoundError, Status, error_for

SONAME = "libcgroups.so.0"
LIBRARY_ENV = "CGROUPS_LIBRARY"


class CgroupHandle(ctypes.Structure):
    """``cgroups_cgroup``: an open group (opaque)."""


class ContextHandle(ctypes.Structure):
    """``cgroups_context``: a resolved base and user (opaque)."""


class StatsReaderHandle(ctypes.Structure):
    """``cgroups_stats_reader``: a statistics reader with its files kept open (opaque)."""


class WatchHandle(ctypes.Structure):
    """``cgroups_watch``: a watch on a group's events (opaque)."""


class StatsStruct(ctypes.Structure):
    """``cgroups_stats``, field for field (the struct only ever grows at its end)."""

    _fields_ = [
        ("size", c_uint32),
        ("present", c_uint64),
        ("memory_current", c_uint64),
        ("memory_peak", c_uint64),
        ("memory_swap_current", c_uint64),
        ("memory_anon", c_uint64),
        ("memory_file", c_uint64),
        ("memory_oom_events", c_uint64),
        ("memory_oom_kills", c_uint64),
        ("memory_high_events", c_uint64),
        ("cpu_usage_usec", c_uint64),
        ("cpu_user_usec", c_uint64),
        ("cpu_system_usec", c_uint64),
        ("cpu_periods", c_uint64),
        ("cpu_throttled_periods", c_uint64),
        ("cpu_throttled_usec", c_uint64),
        ("pids_current", c_uint64),
        ("pids_max_events", c_uint64),
        ("io_read_bytes", c_uint64),
        ("io_write_bytes", c_uint64),
        ("io_read_ios", c_uint64),
        ("io_write_ios", c_uint64),
    ]


class PressureStruct(ctypes.Structure):
    """``cgroups_pressure``, field for field (the struct only ever grows at its end)."""

    _fields_ = [
        ("size", c_uint32),
        ("some_avg10", c_double),
        ("some_avg60", c_double),
        ("some_avg300", c_double),
        ("some_total_usec", c_uint64),
        ("full_avg10", c_double),
        ("full_avg60", c_double),
        ("full_avg300", c_double),
        ("full_total_usec", c_uint64),
    ]


cgroup_p = POINTER(CgroupHandle)
context_p = POINTER(ContextHandle)
stats_reader_p = POINTER(StatsReaderHandle)
watch_p = POINTER(WatchHandle)
pid_t = c_int  # Linux's pid_t

#: What the library reads for "no limit" (``CGROUPS_UNLIMITED``).
UNLIMITED = (1 << 64) - 1

# Calls that return a cgroups_status: name -> argument types.
STATUS_CALLS: dict[str, Sequence[Any]] = {
    "cgroups_open": (c_char_p, c_uint32, c_char_p, POINTER(cgroup_p)),
    "cgroups_open_at": (c_char_p, c_char_p, c_uint32, c_char_p, POINTER(cgroup_p)),
    "cgroups_add": (cgroup_p, pid_t),
    "cgroups_remove": (cgroup_p, pid_t),
    "cgroups_pids": (cgroup_p, POINTER(POINTER(pid_t)), POINTER(c_size_t)),
    "cgroups_set_cpu_limit": (cgroup_p, c_double),
    "cgroups_reset_cpu_limit": (cgroup_p,),
    "cgroups_cpu_limit": (cgroup_p, POINTER(c_double)),
    "cgroups_set_memory_limit": (cgroup_p, c_uint64, c_uint32),
    "cgroups_reset_memory_limit": (cgroup_p,),
    "cgroups_memory_limit": (cgroup_p, POINTER(c_uint64)),
    "cgroups_delete": (cgroup_p,),
    "cgroups_context_new": (c_char_p, c_char_p, POINTER(context_p)),
    "cgroups_context_new_self": (c_char_p, POINTER(context_p)),
    "cgroups_context_open": (context_p, c_char_p, c_uint32, POINTER(cgroup_p)),
    "cgroups_user_setup": (c_char_p, c_char_p),
    "cgroups_context_new_scope": (c_char_p, c_char_p, pid_t, c_uint32, POINTER(context_p)),
    "cgroups_set_cpu_max": (cgroup_p, c_double),
    "cgroups_reset_cpu_max": (cgroup_p,),
    "cgroups_cpu_max": (cgroup_p, POINTER(c_double)),
    "cgroups_set_cpuset": (cgroup_p, c_char_p, c_char_p),
    # Out-parameters of strings the library allocates: c_void_p keeps the address to free.
    "cgroups_cpuset": (cgroup_p, POINTER(c_void_p), POINTER(c_void_p)),
    "cgroups_set_memory_high": (cgroup_p, c_uint64, c_uint32),
    "cgroups_reset_memory_high": (cgroup_p,),
    "cgroups_memory_high": (cgroup_p, POINTER(c_uint64)),
    "cgroups_set_swap_limit": (cgroup_p, c_uint64, c_uint32),
    "cgroups_reset_swap_limit": (cgroup_p,),
    "cgroups_swap_limit": (cgroup_p, POINTER(c_uint64)),
    "cgroups_set_pids_limit": (cgroup_p, c_uint64),
    "cgroups_reset_pids_limit": (cgroup_p,),
    "cgroups_pids_limit": (cgroup_p, POINTER(c_uint64)),
    "cgroups_set_io_max": (cgroup_p, c_char_p, c_uint64, c_uint64, c_uint64, c_uint64),
    "cgroups_io_max": (
        cgroup_p,
        c_char_p,
        POINTER(c_uint64),
        POINTER(c_uint64),
        POINTER(c_uint64),
        POINTER(c_uint64),
    ),
    "cgroups_freeze": (cgroup_p,),
    "cgroups_thaw": (cgroup_p,),
    "cgroups_frozen": (cgroup_p, POINTER(c_int)),
    "cgroups_kill": (cgroup_p, c_int),
    "cgroups_wait_empty": (cgroup_p, c_int),
    "cgroups_stats_read": (cgroup_p, c_uint64, POINTER(StatsStruct)),
    "cgroups_stats_reader_new": (cgroup_p, c_uint64, POINTER(stats_reader_p)),
    "cgroups_stats_reader_read": (stats_reader_p, POINTER(StatsStruct)),
    "cgroups_pressure_read": (cgroup_p, c_uint32, POINTER(PressureStruct)),
    "cgroups_pressure_trigger": (cgroup_p, c_uint32, c_int, c_uint64, c_uint64, POINTER(c_int)),
    "cgroups_watch_new": (cgroup_p, c_uint32, POINTER(watch_p)),
    "cgroups_watch_read": (watch_p, POINTER(c_uint32)),
    "cgroups_watch_wait": (watch_p, c_int, POINTER(c_uint32)),
    "cgroups_spawn": (cgroup_p, c_char_p, POINTER(c_char_p), POINTER(c_char_p), POINTER(pid_t)),
    "cgroups_dir_fd": (cgroup_p, c_uint32, POINTER(c_int)),
}

# Async-signal-safe calls that return a status but set only cgroups_last_errno().
ERRNO_ONLY_CALLS: dict[str, Sequence[Any]] = {
    "cgroups_attach_self": (cgroup_p,),
}

# Every other call: name -> (result type, argument types).
PLAIN_CALLS: dict[str, tuple[Any, Sequence[Any]]] = {
    "cgroups_free": (None, (cgroup_p,)),
    "cgroups_pids_free": (None, (POINTER(pid_t), c_size_t)),
    "cgroups_context_free": (None, (context_p,)),
    "cgroups_string_free": (None, (c_void_p,)),
    "cgroups_stats_reader_free": (None, (stats_reader_p,)),
    "cgroups_watch_fd": (c_int, (watch_p,)),
    "cgroups_watch_free": (None, (watch_p,)),
    "cgroups_last_error": (c_char_p, ()),
    "cgroups_last_errno": (c_int, ()),
    "cgroups_strerror": (c_char_p, (c_int,)),
    "cgroups_version": (c_char_p, ()),
}


def _candidates() -> Iterator[str]:
    """Where to look for the library: the override, else the loader's path, then pkg-config's
    libdir (asked only when the loader did not find it)."""
    override = os.environ.get(LIBRARY_ENV)
    if override:
        yield override
        return
    yield SONAME
    try:
        libdir = subprocess.run(
            ["pkg-config", "--variable=libdir", "cgroups"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return
    if libdir:
        yield os.path.join(libdir, SONAME)


@functools.cache
def library() -> ctypes.CDLL:
    """The loaded library with every call's signature declared; loaded on first use.

    Raises:
        LibraryNotFoundError: when no candidate location holds a loadable library.
    """
    failures = []
    for candidate in _candidates():
        try:
            lib = ctypes.CDLL(candidate)
            break
        except OSError as err:
            failures.append(str(err))
    else:
        raise LibraryNotFoundError(
            f"cannot load the libcgroups C library ({'; '.join(failures)}): install it "
            f"(make install), put its directory on LD_LIBRARY_PATH or pkg-config's path, "
            f"or name the file in {LIBRARY_ENV}"
        )
    for name, argtypes in STATUS_CALLS.items():
        _declare(lib, name, c_int, argtypes).errcheck = _raise_on_failure
    for name, argtypes in ERRNO_ONLY_CALLS.items():
        _declare(lib, name, c_int, argtypes).errcheck = _raise_on_errno
    for name, (restype, argtypes) in PLAIN_CALLS.items():
        _declare(lib, name, restype, argtypes)
    return lib


def _declare(lib: ctypes.CDLL, name: str, restype: Any, argtypes: Sequence[Any]) -> Any:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function


def _raise_on_failure(status: int, function: Any, arguments: tuple[Any, ...]) -> int:
    """ctypes' errcheck: the exception for a failed call, from the thread's last error."""
    if status != Status.OK:
        # The last error is thread-local, and this runs on the thread that made the call.
        lib = library()
        message = lib.cgroups_last_error().decode("utf-8", "replace")
        raise error_for(status, message, lib.cgroups_last_errno())
    return status


def _raise_on_errno(status: int, function: Any, arguments: tuple[Any, ...]) -> int:
    """ctypes' errcheck for calls that leave the last error's message alone."""
    if status != Status.OK:
        errno = library().cgroups_last_errno()
        reason = os.strerror(errno) if errno else "unknown reason"
        raise error_for(status, f"cannot move this process into the group: {reason}", errno)
    return status
