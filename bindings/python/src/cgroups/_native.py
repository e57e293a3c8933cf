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
from ctypes import POINTER, c_char_p, c_double, c_int, c_size_t, c_uint32, c_uint64
from typing import Any

from .errors import LibraryNotFoundError, Status, error_for

SONAME = "libcgroups.so.0"
LIBRARY_ENV = "CGROUPS_LIBRARY"


class CgroupHandle(ctypes.Structure):
    """``cgroups_cgroup``: an open group (opaque)."""


class ContextHandle(ctypes.Structure):
    """``cgroups_context``: a resolved base and user (opaque)."""


cgroup_p = POINTER(CgroupHandle)
context_p = POINTER(ContextHandle)
pid_t = c_int  # Linux's pid_t

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
