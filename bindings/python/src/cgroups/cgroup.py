# SPDX-License-Identifier: MIT OR Apache-2.0
"""The ``Cgroup`` class of the original ``cgroups`` package, and the rest of the C library's
calls on a group: controls, freezing, killing, statistics, pressure and event watches."""

from __future__ import annotations

import ctypes
import math
import signal as signals
from collections.abc import Mapping
from ctypes import byref, c_char_p, c_double, c_int, c_size_t, c_uint64, c_void_p
from typing import NamedTuple

from . import _arguments as args
from . import _native
from . import pressure as _pressure
from . import spawn as _spawn
from . import stats as _stats
from ._arguments import MEMORY_UNITS, Hierarchies, PathLike
from ._handle import Handle
from .errors import NotFoundError
from .pressure import Pressure, PressureTrigger
from .spawn import Process
from .stats import Stat, Stats, StatsReader
from .watch import Event, Watch

__all__ = ["Cgroup", "Cpuset", "IoMax", "MEMORY_UNITS", "user_setup", "library_version"]

_MEGABYTE = 1 << 20


class Cpuset(NamedTuple):
    """The CPUs and memory nodes of a group, in the kernel's list syntax ("0-3,6"); on cgroup
    v2 "" means the parent's."""

    cpus: str
    mems: str


class IoMax(NamedTuple):
    """A group's I/O caps on one device, per second; None means no cap."""

    read_bps: int | None = None
    write_bps: int | None = None
    read_iops: int | None = None
    write_iops: int | None = None


class Cgroup(Handle["ctypes._Pointer[_native.CgroupHandle]"]):
    """A control group of a user, created, or loaded if it exists.

    ``Cgroup(name, hierarchies='all', user='current')`` is the original package's constructor:
    the group ``name`` ("charlie" or "jobs/charlie") lives in ``user``'s subtree of every
    hierarchy asked for. ``hierarchies`` is ``'all'`` (every hierarchy the host offers) or a
    list of names (``'cpu'``, ``'memory'``, ``'pids'``, ``'cpuset'``, ``'io'``, ``'freezer'``);
    a group that exists already is loaded where it exists. ``user`` ``'current'`` is the
    effective user. ``base`` is the cgroup mount to use; by default the package's
    ``BASE_CGROUPS``, and when that is None the host's mount (from ``/proc/self/mountinfo``).

    A ``with`` block deletes the group at its end (see :meth:`delete`) and frees the handle.
    Calls on a hierarchy the group lacks raise ControllerUnavailableError; calls the kernel has
    no interface for raise UnsupportedError naming what is missing; every call on a group
    removed meanwhile raises NotFoundError.

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
        hierarchies = args.asked(hierarchies)
        controllers = args.controllers(hierarchies)
        encoded_name = args.text(name, "name")
        handle = _native.cgroup_p()
        where = args.base(base)
        lib = _native.library()
        if where is None:
            lib.cgroups_open(encoded_name, controllers, args.user(user), byref(handle))
        else:
            lib.cgroups_open_at(where, encoded_name, controllers, args.user(user), byref(handle))
        self._adopt(handle, name, hierarchies, args.user_name(user))

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
        self._own(handle, _native.library().cgroups_free)
        self.name = name
        self.hierarchies = hierarchies
        self.user = user

    def _end_of_block(self) -> None:
        """A ``with`` block deletes the group, then frees the handle."""
        try:
            self.delete()
        except NotFoundError:
            pass  # deleted already, in the block or by someone else
        finally:
            self.close()

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else ""
        return f"<Cgroup {self.name!r} of {self.user!r}{state}>"

    # Membership and deletion.

    def add(self, pid: int) -> None:
        """Moves the whole process ``pid`` into the group; nothing to do if it is there.

        Raises:
            NoSuchProcessError: no such process.
            PermissionDeniedError: another user's process, or (cgroup v2, non-root) a process
                outside the user's subtree; the message says which and what to do.
        """
        _native.library().cgroups_add(self._live, args.pid(pid))

    def remove(self, pid: int) -> None:
        """Moves ``pid`` back to the user's own group if it is in this group; else nothing."""
        _native.library().cgroups_remove(self._live, args.pid(pid))

    def attach_self(self) -> None:
        """Moves the calling process into the group; for ``preexec_fn`` in a child.

        Async-signal-safe in the library, so it is the safe choice between fork and exec.
        """
        _native.library().cgroups_attach_self(self._live)

    def pids(self) -> list[int]:
        """The processes in the group (every hierarchy), sorted."""
        lib = _native.library()
        array = ctypes.POINTER(_native.pid_t)()
        count = c_size_t()
        lib.cgroups_pids(self._live, byref(array), byref(count))
        try:
            return array[: count.value] if count.value else []
        finally:
            lib.cgroups_pids_free(array, count)

    def spawn(self, args: _spawn.Arguments, *, env: Mapping[str, str] | None = None) -> Process:
        """Starts the program ``args[0]`` (searched in PATH when it has no '/') with the
        arguments ``args`` inside the group, and returns it as a Popen-like :class:`Process`.

        On cgroup v2 the program is a member from its first instruction (clone3 into the
        group); in v1 hierarchies it joins before exec. No Python code runs in the child, so it
        is safe in a program with threads. The program shares the caller's open descriptors
        that are not close-on-exec (its standard streams among them) and environment (``env``:
        another one, as a mapping). For pipes, a working directory and the rest of
        ``subprocess``, use ``subprocess.Popen(args, preexec_fn=group.attach_self)`` (it joins
        before exec).

        Raises:
            OperatingSystemError: the program cannot be executed: ``errno`` is exec's (ENOENT,
                EACCES …); nothing is left running.
            NotFoundError: the group was removed.
        """
        return Process(args, _spawn.start(self._live, args, env))

    def dir_fd(self, hierarchy: str) -> int:
        """A new descriptor (``O_DIRECTORY | O_CLOEXEC``) of the group's directory in
        ``hierarchy`` (``'cpu'``, ``'memory'`` …; on cgroup v2 any name gives the one
        directory), for ``os.open(name, flags, dir_fd=…)`` or clone3. Close it with
        ``os.close``.

        Raises:
            ControllerUnavailableError: the group was opened without that hierarchy.
        """
        if hierarchy not in args.HIERARCHY_BITS:
            raise args.invalid(f"unknown hierarchy {hierarchy!r}")
        return _spawn.directory_descriptor(self._live, args.HIERARCHY_BITS[hierarchy])

    def delete(self) -> None:
        """Deletes the group: its processes move back to the user's group, then it is removed.

        Nobody is killed. The handle stays open: later calls raise NotFoundError.

        Raises:
            BusyError: the group has child groups.
            NotFoundError: the group does not exist any more.
        """
        _native.library().cgroups_delete(self._live)

    # CPU.

    def set_cpu_limit(self, limit: float | None = None) -> None:
        """Sets the CPU share in percent of the default, (0, 100]; no argument resets it.

        A relative share, as in the original package: 50 gets half the CPU time of a default
        group when both compete, and any idle CPU otherwise.
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_cpu_limit(self._live)
        else:
            lib.cgroups_set_cpu_limit(self._live, float(limit))

    @property
    def cpu_limit(self) -> float:
        """The CPU share in percent of the default (100.0 after a reset)."""
        percent = c_double()
        _native.library().cgroups_cpu_limit(self._live, byref(percent))
        return percent.value

    def set_cpu_max(self, cpus: float | None = None) -> None:
        """Caps the group's CPU time at ``cpus`` CPUs (1.5 = one and a half CPUs' worth of time
        per 100 ms period); no argument lifts the cap. A hard cap, unlike the share.

        Raises:
            InvalidArgumentError: not above 0.01 CPUs (the kernel's minimum), NaN, infinite, or
                (v1) above the parent's cap.
            UnsupportedError: the kernel has no CPU bandwidth control.
        """
        lib = _native.library()
        if cpus is None:
            lib.cgroups_reset_cpu_max(self._live)
        else:
            lib.cgroups_set_cpu_max(self._live, float(cpus))

    @property
    def cpu_max(self) -> float | None:
        """The CPU cap in CPUs, or None when there is none."""
        cpus = c_double()
        _native.library().cgroups_cpu_max(self._live, byref(cpus))
        return None if math.isinf(cpus.value) else cpus.value

    def set_cpuset(self, cpus: str | None = None, mems: str | None = None) -> None:
        """Pins the group to CPUs ``cpus`` and memory nodes ``mems``, in the kernel's list
        syntax ("0-3,6"); None leaves that half unchanged. On cgroup v2 "" means the parent's.

        Raises:
            InvalidArgumentError: a malformed list, or one the kernel refuses (offline, not
                among the parent's; the other half is then restored), or "" on cgroup v1.
        """
        _native.library().cgroups_set_cpuset(
            self._live, args.text(cpus, "cpus"), args.text(mems, "mems")
        )

    @property
    def cpuset(self) -> Cpuset:
        """The group's CPUs and memory nodes, as set (normalized by the kernel)."""
        lib = _native.library()
        cpus, mems = c_void_p(), c_void_p()
        lib.cgroups_cpuset(self._live, byref(cpus), byref(mems))
        try:
            return Cpuset(*(_decoded(ctypes.cast(s, c_char_p).value) for s in (cpus, mems)))
        finally:
            lib.cgroups_string_free(cpus)
            lib.cgroups_string_free(mems)

    # Memory.

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
            lib.cgroups_reset_memory_limit(self._live)
        else:
            lib.cgroups_set_memory_limit(self._live, *args.size(limit, unit, "memory limit"))

    @property
    def memory_limit_bytes(self) -> int | None:
        """The memory limit in bytes, or None when there is none."""
        return self._read_u64("cgroups_memory_limit")

    @property
    def memory_limit(self) -> int | None:
        """The memory limit in megabytes (rounded down), or None when there is none."""
        limit = self.memory_limit_bytes
        return None if limit is None else limit // _MEGABYTE

    def set_memory_high(self, limit: int | None = None, unit: str = "megabytes") -> None:
        """Sets the throttling threshold (cgroup v2 memory.high): above it the group is slowed
        down and reclaimed hard, never OOM-killed for it; no argument removes it. Units as
        for :meth:`set_memory_limit`.

        Raises:
            InvalidArgumentError: less than one page, an overflowing size, an unknown unit.
            UnsupportedError: cgroup v1, which has no such threshold.
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_memory_high(self._live)
        else:
            lib.cgroups_set_memory_high(self._live, *args.size(limit, unit, "memory.high"))

    @property
    def memory_high_bytes(self) -> int | None:
        """The throttling threshold in bytes, or None when there is none."""
        return self._read_u64("cgroups_memory_high")

    def set_swap_limit(self, limit: int | None = None, unit: str = "megabytes") -> None:
        """Limits the swap the group may use on top of its memory (0: no swap); no argument
        removes the limit. Units as for :meth:`set_memory_limit`. On cgroup v1 the group needs
        a memory limit first, and a later memory limit keeps the swap amount.

        Raises:
            InvalidArgumentError: an overflowing size, an unknown unit, (v1) no memory limit.
            UnsupportedError: the kernel does not account swap.
            BusyError: (v1) usage is above the new limit.
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_swap_limit(self._live)
        else:
            lib.cgroups_set_swap_limit(self._live, *args.size(limit, unit, "swap limit"))

    @property
    def swap_limit_bytes(self) -> int | None:
        """The swap limit in bytes, or None when there is none."""
        return self._read_u64("cgroups_swap_limit")

    # Processes and I/O.

    def set_pids_limit(self, limit: int | None = None) -> None:
        """Limits the number of tasks (processes and threads) in the group and its child
        groups; 0 allows no new process; no argument removes the limit. A fork beyond it fails
        with EAGAIN.

        Raises:
            InvalidArgumentError: above 4194304 (the kernel's pid space).
        """
        lib = _native.library()
        if limit is None:
            lib.cgroups_reset_pids_limit(self._live)
        else:
            lib.cgroups_set_pids_limit(self._live, args.integer(limit, "pids limit"))

    @property
    def pids_limit(self) -> int | None:
        """The limit on the number of tasks, or None when there is none."""
        return self._read_u64("cgroups_pids_limit")

    def set_io_max(
        self,
        device: PathLike,
        *,
        read_bps: int | None = None,
        write_bps: int | None = None,
        read_iops: int | None = None,
        write_iops: int | None = None,
    ) -> None:
        """Caps the group's I/O on ``device`` ("MAJ:MIN" or a path such as "/dev/sda": a whole
        disk) in bytes and operations per second. Each call sets all four: a cap left out (None)
        is lifted.

        Raises:
            InvalidArgumentError: a malformed, unknown or non-block device, a partition, a cap
                below 2, operations of 2**32 - 1 or more.
            UnsupportedError: the kernel cannot throttle I/O, or not that device.
        """
        caps = IoMax(read_bps, write_bps, read_iops, write_iops)
        _native.library().cgroups_set_io_max(
            self._live,
            args.path(device, "device"),
            *(args.limit_or_unlimited(cap, name) for name, cap in caps._asdict().items()),
        )

    def io_max(self, device: PathLike) -> IoMax:
        """The group's I/O caps on ``device`` (as for :meth:`set_io_max`); None where there is
        no cap, also for a device with nothing configured."""
        caps = [c_uint64() for _ in IoMax._fields]
        _native.library().cgroups_io_max(
            self._live, args.path(device, "device"), *(byref(cap) for cap in caps)
        )
        return IoMax(*(args.none_if_unlimited(cap.value) for cap in caps))

    # Freezing and killing.

    def freeze(self) -> None:
        """Freezes every process of the group and of its child groups, and returns once the
        kernel reports the group frozen.

        Raises:
            TimedOutError: not frozen within 10 s (the group is thawed again).
            ControllerUnavailableError: (v1) the group has no freezer hierarchy.
        """
        _native.library().cgroups_freeze(self._live)

    def thaw(self) -> None:
        """Thaws the group, and returns once the kernel reports it thawed.

        Raises:
            BusyError, TimedOutError: a frozen ancestor keeps it frozen (v1, v2).
        """
        _native.library().cgroups_thaw(self._live)

    @property
    def frozen(self) -> bool:
        """Whether the kernel reports the group frozen (also by an ancestor); a group still
        freezing is not frozen yet."""
        frozen = c_int()
        _native.library().cgroups_frozen(self._live, byref(frozen))
        return frozen.value != 0

    def kill(self, signal: int = signals.SIGKILL) -> None:
        """Sends ``signal`` to every process of the group and of its child groups, including
        ones forked meanwhile, and returns once all were signalled (:meth:`wait_empty` waits
        for them to exit). :meth:`delete` never kills.

        Raises:
            InvalidArgumentError: an invalid signal number.
            ControllerUnavailableError: (v1) a signal other than SIGKILL without the freezer.
            TimedOutError: processes kept entering the group for 10 s.
        """
        _native.library().cgroups_kill(self._live, args.integer(int(signal), "signal", 0x7FFFFFFF))

    def wait_empty(self, timeout: float | None = None) -> None:
        """Waits until no process is left in the group or its child groups, for at most
        ``timeout`` seconds (None: without limit; 0 checks once). The wait runs in the library.

        Raises:
            TimedOutError: processes are left at the timeout (also a ``TimeoutError``).
        """
        _native.library().cgroups_wait_empty(self._live, args.timeout_ms(timeout))

    # Monitoring.

    def stats(self, want: Stat = Stat.ALL) -> Stats:
        """The group's statistics of the kinds ``want`` (:class:`Stat` flags), reading only the
        files they need; what the host cannot give is None in the result."""
        return _stats.read(self._live, want)

    def stats_reader(self, want: Stat = Stat.ALL) -> StatsReader:
        """A :class:`StatsReader` of the kinds ``want``, for reading this group repeatedly."""
        return StatsReader(self._live, want)

    def pressure(self, resource: str) -> Pressure:
        """The pressure of ``resource`` (``'cpu'``, ``'memory'`` or ``'io'``) in the group.

        Raises:
            UnsupportedError: the group has no cgroup2 directory (v1 hosts; hybrid hosts whose
                cgroup2 tree serves none of its hierarchies) or PSI is off; the message says.
        """
        return _pressure.read(self._live, resource)

    def pressure_trigger(
        self, resource: str, stall: float, window: float, *, full: bool = False
    ) -> PressureTrigger:
        """A :class:`PressureTrigger` that fires when ``resource``'s stall time ("some" tasks,
        or all of them with ``full``) within ``window`` seconds exceeds ``stall`` seconds.

        Raises:
            InvalidArgumentError: ``window`` not within 0.5 and 10 s (as a non-root user on
                Linux 6.5+: a multiple of 2 s), ``stall`` not in (0, window].
            UnsupportedError: as for :meth:`pressure`.
        """
        return PressureTrigger(self._live, resource, stall, window, full)

    def watch(self, events: Event) -> Watch:
        """A :class:`Watch` of ``events`` (:class:`Event` flags) in this group.

        Raises:
            ControllerUnavailableError: OOM or MEMORY_HIGH without memory, PIDS_MAX without
                pids, FROZEN without the freezer.
            UnsupportedError: MEMORY_HIGH on cgroup v1.
        """
        return Watch(self._live, events)

    def _read_u64(self, getter: str) -> int | None:
        """A getter with one uint64 output; None for CGROUPS_UNLIMITED."""
        value = c_uint64()
        getattr(_native.library(), getter)(self._live, byref(value))
        return args.none_if_unlimited(value.value)


def _decoded(value: bytes | None) -> str:
    """A string the library returned (never NULL on success)."""
    return (value or b"").decode()


def user_setup(user: str, base: PathLike | None = None) -> None:
    """Prepares ``user``'s subtree so that the user manages their own groups (what
    ``user_cgroups`` does). Needs root; idempotent.

    Raises:
        PermissionDeniedError: not root.
        NoSuchUserError: the user has no passwd entry.
    """
    _native.library().cgroups_user_setup(args.base(base), args.text(user, "user"))


def library_version() -> str:
    """The version of the loaded C library, "MAJOR.MINOR.PATCH"."""
    version: bytes = _native.library().cgroups_version()
    return version.decode()
