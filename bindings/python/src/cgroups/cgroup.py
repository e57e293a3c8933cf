"""Groups and contexts: the ``Cgroup`` class of the original ``cgroups`` package, and more."""

from __future__ import annotations

import ctypes
import os
import pwd
import weakref
from collections.abc import Iterable
from ctypes import byref, c_double, c_size_t, c_uint64
from types import TracebackType
from typing import Union

import cgroups as _package

from . import _native
from .errors import InvalidArgumentError, NotFoundError

__all__ = ["Cgroup", "Context", "MEMORY_UNITS", "user_setup", "library_version"]

PathLike = Union[str, "os.PathLike[str]"]
Hierarchies = Union[str, Iterable[str]]


#: Units of :meth:`Cgroup.set_memory_limit`, as in the original package (×1024 steps).
MEMORY_UNITS = {"bytes": 0, "kilobytes": 1, "megabytes": 2, "gigabytes": 3}

# The library's controller bit of each hierarchy name (CGROUPS_CPU …), and CGROUPS_ALL.
_HIERARCHIES = {"cpu": 1, "memory": 2, "pids": 4, "cpuset": 8, "io": 16, "freezer": 32}
_ALL_HIERARCHIES = 0xFFFFFFFF

_MEGABYTE = 1 << 20
_PID_MAX = (1 << 31) - 1


def _asked(hierarchies: Hierarchies) -> str | list[str]:
    """A ``hierarchies`` argument as kept: ``'all'``, one name, or a list of names."""
    return hierarchies if isinstance(hierarchies, str) else list(hierarchies)


def _controllers(hierarchies: str | list[str]) -> int:
    """The controller bits of a ``hierarchies`` argument: ``'all'`` or hierarchy names."""
    if hierarchies == "all":
        return _ALL_HIERARCHIES
    bits = 0
    for name in [hierarchies] if isinstance(hierarchies, str) else hierarchies:
        if name not in _HIERARCHIES:
            known = ", ".join(repr(known) for known in _HIERARCHIES)
            raise InvalidArgumentError(
                f"invalid argument: unknown hierarchy {name!r} (known: {known}, or 'all')"
            )
        bits |= _HIERARCHIES[name]
    if not bits:
        raise InvalidArgumentError("invalid argument: no hierarchy given")
    return bits


def _text(value: str | None, what: str) -> bytes | None:
    """A string argument as C sees it: UTF-8 without NUL; None stays NULL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise InvalidArgumentError(f"invalid argument: {what} {value!r} contains a NUL character")
    return value.encode("utf-8")


def _path(value: PathLike | None, what: str) -> bytes | None:
    if value is None:
        return None
    return _text(os.fsdecode(os.fspath(value)), what)


def _user(user: str | None) -> bytes | None:
    return None if user in (None, "current") else _text(user, "user")


def _current_user() -> str:
    """The effective user's name, or its uid where it has no passwd entry (as the library)."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _pid(pid: int) -> int:
    if isinstance(pid, bool) or not isinstance(pid, int):
        raise TypeError(f"pid must be an int, not {type(pid).__name__}")
    if not 0 < pid <= _PID_MAX:
        raise InvalidArgumentError(f"invalid argument: pid {pid} is not a process id")
    return pid


def _base(base: PathLike | None) -> bytes | None:
    """An explicit base, else the package's ``BASE_CGROUPS``, else None (the host's mount)."""
    return _path(base if base is not None else _package.BASE_CGROUPS, "base")


class Cgroup:
    """A control group of a user, created, or loaded if it exists.

    ``Cgroup(name, hierarchies='all', user='current')`` is the original package's constructor:
    the group ``name`` ("charlie" or "jobs/charlie") lives in ``user``'s subtree of every
    hierarchy asked for. ``hierarchies`` is ``'all'`` (every hierarchy the host offers) or a
    list of names (``'cpu'``, ``'memory'``, ``'pids'``, ``'cpuset'``, ``'io'``, ``'freezer'``);
    a group that exists already is loaded where it exists. ``user`` ``'current'`` is the
    effective user. ``base`` is the cgroup mount to use; by default the package's
    ``BASE_CGROUPS``, and when that is None the host's mount (from ``/proc/self/mountinfo``).

    A ``with`` block deletes the group at its end (see :meth:`delete`) and frees the handle.

    Raises:
        InvalidArgumentError: a malformed name or user, an unknown hierarchy.
        ControllerUnavailableError: a hierarchy the host lacks.
        PermissionDeniedError: no right to create the group (see ``user_cgroups``).
        NoSuchUserError, NotMountedError: an unknown user, a base without cgroups.
    """

    name: str
    """The group's name, as given."""
    hierarchies: str | list[str]
    """The hierarchies asked for at open: ``'all'`` or a list of names."""
    user: str | None
    """The user whose subtree holds the group (None for a group of a delegated cgroup)."""

    def __init__(
        self,
        name: str,
        hierarchies: Hierarchies = "all",
        user: str | None = "current",
        *,
        base: PathLike | None = None,
    ) -> None:
        hierarchies = _asked(hierarchies)
        controllers = _controllers(hierarchies)
        encoded_name = _text(name, "name")
        handle = _native.cgroup_p()
        where = _base(base)
        lib = _native.library()
        if where is None:
            lib.cgroups_open(encoded_name, controllers, _user(user), byref(handle))
        else:
            lib.cgroups_open_at(where, encoded_name, controllers, _user(user), byref(handle))
        resolved_user = _current_user() if user in (None, "current") else user
        self._adopt(handle, name, hierarchies, resolved_user)

    @classmethod
    def _from_handle(
        cls,
        handle: ctypes._Pointer[_native.CgroupHandle],
        name: str,
        hierarchies: str | list[str],
        user: str | None,
    ) -> Cgroup:
        group = cls.__new__(cls)
        group._adopt(handle, name, hierarchies, user)
        return group

    def _adopt(
        self,
        handle: ctypes._Pointer[_native.CgroupHandle],
        name: str,
        hierarchies: str | list[str],
        user: str | None,
    ) -> None:
        self._handle: ctypes._Pointer[_native.CgroupHandle] | None = handle
        self._free = weakref.finalize(self, _native.library().cgroups_free, handle)
        self.name = name
        self.hierarchies = hierarchies
        self.user = user

    @property
    def _cg(self) -> ctypes._Pointer[_native.CgroupHandle]:
        if self._handle is None:
            raise ValueError(f"operation on a closed Cgroup {self.name!r}")
        return self._handle

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._handle is None

    def close(self) -> None:
        """Frees the handle (the group itself stays). Further calls raise ValueError."""
        self._handle = None
        self._free()

    def __enter__(self) -> Cgroup:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.delete()
        except NotFoundError:
            pass  # deleted already, in the block or by someone else
        finally:
            self.close()

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        return f"<Cgroup {self.name!r} of {self.user!r}{state}>"

    def add(self, pid: int) -> None:
        """Moves the whole process ``pid`` into the group; nothing to do if it is there.

        Raises:
            NoSuchProcessError: no such process.
            PermissionDeniedError: another user's process, or (cgroup v2, non-root) a process
                outside the user's subtree; the message says which and what to do.
        """
        _native.library().cgroups_add(self._cg, _pid(pid))

    def remove(self, pid: int) -> None:
        """Moves ``pid`` back to the user's own group if it is in this group; else nothing."""
        _native.library().cgroups_remove(self._cg, _pid(pid))

    def attach_self(self) -> None:
        """Moves the calling process into the group; for ``preexec_fn`` in a child.

        Async-signal-safe in the library, so it is the safe choice between fork and exec.
        """
        _native.library().cgroups_attach_self(self._cg)

    def pids(self) -> list[int]:
        """The processes in the group (every hierarchy), sorted."""
        lib = _native.library()
        array = ctypes.POINTER(_native.pid_t)()
        count = c_size_t()
        lib.cgroups_pids(self._cg, byref(array), byref(count))
        try:
            return array[: count.value] if count.value else []
        finally:
            lib.cgroups_pids_free(array, count)

    def set_cpu_limit(self, limit: float | None = None) -> None:
        """Sets the CPU share in percent of the default, (0, 100]; no argument resets it.

        A relative share, as in the original package: 50 gets half the CPU time of a default
        group when both compete, and any idle CPU otherwise.
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_cpu_limit(self._cg)
        else:
            lib.cgroups_set_cpu_limit(self._cg, float(limit))

    @property
    def cpu_limit(self) -> float:
        """The CPU share in percent of the default (100.0 after a reset)."""
        percent = c_double()
        _native.library().cgroups_cpu_limit(self._cg, byref(percent))
        return percent.value

    def set_memory_limit(self, limit: int | None = None, unit: str = "megabytes") -> None:
        """Limits the group's memory (page cache included, swap not); no argument resets it.

        ``unit`` is ``'bytes'``, ``'kilobytes'``, ``'megabytes'`` (the default) or
        ``'gigabytes'``, in steps of 1024.

        Raises:
            InvalidArgumentError: 0, a negative or overflowing size, an unknown unit.
            BusyError: (cgroup v1) the limit is below the group's current usage.
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_memory_limit(self._cg)
            return
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise TypeError(f"limit must be an int, not {type(limit).__name__}")
        if unit not in MEMORY_UNITS:
            raise InvalidArgumentError(
                f"invalid argument: unknown unit {unit!r} (known: {', '.join(MEMORY_UNITS)})"
            )
        if not 0 <= limit < 1 << 64:
            raise InvalidArgumentError(f"invalid argument: memory limit {limit} is out of range")
        lib.cgroups_set_memory_limit(self._cg, limit, MEMORY_UNITS[unit])

    @property
    def memory_limit_bytes(self) -> int | None:
        """The memory limit in bytes, or None when there is none."""
        limit = c_uint64()
        _native.library().cgroups_memory_limit(self._cg, byref(limit))
        return None if limit.value == (1 << 64) - 1 else limit.value

    @property
    def memory_limit(self) -> int | None:
        """The memory limit in megabytes (rounded down), or None when there is none."""
        limit = self.memory_limit_bytes
        return None if limit is None else limit // _MEGABYTE

    def delete(self) -> None:
        """Deletes the group: its processes move back to the user's group, then it is removed.

        Nobody is killed. The handle stays open: later calls raise NotFoundError.

        Raises:
            BusyError: the group has child groups.
            NotFoundError: the group does not exist any more.
        """
        _native.library().cgroups_delete(self._cg)


class Context:
    """A base and a user resolved once, for opening many groups cheaply.

    ``Context(base=None, user='current')`` resolves the base (default: the package's
    ``BASE_CGROUPS``, else the host's mount) and the user; :meth:`open` then reads neither
    ``/proc/self/mountinfo`` nor the passwd database again. Groups outlive their context.
    A ``with`` block frees the context at its end.
    """

    user: str | None
    """The user whose subtree the groups go in (None for :meth:`own_cgroup`)."""

    def __init__(self, base: PathLike | None = None, user: str | None = "current") -> None:
        handle = _native.context_p()
        _native.library().cgroups_context_new(_base(base), _user(user), byref(handle))
        self._adopt(handle, _current_user() if user in (None, "current") else user)

    @classmethod
    def own_cgroup(cls, base: PathLike | None = None) -> Context:
        """A context at the cgroup the calling process lives in, for delegated cgroups.

        For a service started with systemd's ``Delegate=yes`` or a container with its own
        cgroup namespace: groups go directly below the caller's cgroup, and processes removed
        from them go back to it. On cgroup v2 the caller's cgroup's processes (the caller
        included) first move into its leaf ``cgroups.user``.

        Raises:
            UnsupportedError: the caller lives in a root cgroup.
            PermissionDeniedError: the caller's cgroup was not delegated to it.
        """
        handle = _native.context_p()
        _native.library().cgroups_context_new_self(_base(base), byref(handle))
        context = cls.__new__(cls)
        context._adopt(handle, None)
        return context

    def _adopt(self, handle: ctypes._Pointer[_native.ContextHandle], user: str | None) -> None:
        self._handle: ctypes._Pointer[_native.ContextHandle] | None = handle
        self._free = weakref.finalize(self, _native.library().cgroups_context_free, handle)
        self.user = user

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._handle is None

    def close(self) -> None:
        """Frees the context; groups opened through it stay usable."""
        self._handle = None
        self._free()

    def __enter__(self) -> Context:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Context of {self.user!r}{' (closed)' if self.closed else ''}>"

    def open(self, name: str, hierarchies: Hierarchies = "all") -> Cgroup:
        """Opens (creates, or loads) the group ``name`` in this context; as :class:`Cgroup`."""
        if self._handle is None:
            raise ValueError("operation on a closed Context")
        hierarchies = _asked(hierarchies)
        controllers = _controllers(hierarchies)
        handle = _native.cgroup_p()
        _native.library().cgroups_context_open(
            self._handle, _text(name, "name"), controllers, byref(handle)
        )
        return Cgroup._from_handle(handle, name, hierarchies, self.user)


def user_setup(user: str, base: PathLike | None = None) -> None:
    """Prepares ``user``'s subtree so that the user manages their own groups (what
    ``user_cgroups`` does). Needs root; idempotent.

    Raises:
        PermissionDeniedError: not root.
        NoSuchUserError: the user has no passwd entry.
    """
    _native.library().cgroups_user_setup(_base(base), _text(user, "user"))


def library_version() -> str:
    """The version of the loaded C library, "MAJOR.MINOR.PATCH"."""
    version: bytes = _native.library().cgroups_version()
    return version.decode()
