# SPDX-License-Identifier: MIT OR Apache-2.0
"""Statistics of a group: :meth:`Cgroup.stats` for one read, :meth:`Cgroup.stats_reader` for a
monitor that reads the same group again and again."""

from __future__ import annotations

import ctypes
import dataclasses
import enum
from ctypes import byref

from . import _native
from ._arguments import integer
from ._handle import Handle

__all__ = ["Stat", "Stats", "StatsReader"]


class Stat(enum.IntFlag):
    """Kinds of statistics (``CGROUPS_STAT_*``): what to read, and what a read found."""

    MEMORY_CURRENT = 1
    """Memory in use."""
    MEMORY_PEAK = 2
    """Highest memory use seen (cgroup v2: Linux 5.19+)."""
    MEMORY_SWAP = 4
    """Swap in use (with swap accounting)."""
    MEMORY_STAT = 8
    """Anonymous memory and page cache."""
    MEMORY_EVENTS = 16
    """OOM events and kills, memory.high events."""
    CPU_USAGE = 32
    """CPU time: total, user, system."""
    CPU_THROTTLING = 64
    """CPU cap periods, throttled periods and time."""
    PIDS = 128
    """Processes and threads, and forks refused by the pids limit."""
    IO = 256
    """Bytes and operations read and written, summed over devices."""
    ALL = 511
    """Every kind."""


# The fields of each kind, as named in cgroups_stats and in Stats.
_FIELDS = {
    Stat.MEMORY_CURRENT: ("memory_current",),
    Stat.MEMORY_PEAK: ("memory_peak",),
    Stat.MEMORY_SWAP: ("memory_swap_current",),
    Stat.MEMORY_STAT: ("memory_anon", "memory_file"),
    Stat.MEMORY_EVENTS: ("memory_oom_events", "memory_oom_kills", "memory_high_events"),
    Stat.CPU_USAGE: ("cpu_usage_usec", "cpu_user_usec", "cpu_system_usec"),
    Stat.CPU_THROTTLING: ("cpu_periods", "cpu_throttled_periods", "cpu_throttled_usec"),
    Stat.PIDS: ("pids_current", "pids_max_events"),
    Stat.IO: ("io_read_bytes", "io_write_bytes", "io_read_ios", "io_write_ios"),
}


@dataclasses.dataclass(frozen=True)
class Stats:
    """A group's statistics, its child groups included. A field is None when the host could not
    give it (a hierarchy the group lacks, a file the kernel lacks) or it was not asked for:
    absent is never 0. ``present`` holds the kinds that were given. On cgroup v1,
    ``memory_oom_events`` and ``memory_high_events`` read 0 (v1 counts only OOM kills)."""

    present: Stat
    """The kinds whose fields hold values."""
    memory_current: int | None = None
    """Bytes in use (v2 memory.current, v1 memory.usage_in_bytes)."""
    memory_peak: int | None = None
    """Highest use, bytes."""
    memory_swap_current: int | None = None
    """Swap in use, bytes."""
    memory_anon: int | None = None
    """Anonymous memory, bytes."""
    memory_file: int | None = None
    """Page cache including tmpfs, bytes."""
    memory_oom_events: int | None = None
    """Times the group hit its limit and the OOM killer was invoked (0 on v1)."""
    memory_oom_kills: int | None = None
    """Processes killed by the OOM killer."""
    memory_high_events: int | None = None
    """Times memory.high was exceeded (0 on v1)."""
    cpu_usage_usec: int | None = None
    """CPU time, µs."""
    cpu_user_usec: int | None = None
    """User-mode CPU time, µs."""
    cpu_system_usec: int | None = None
    """Kernel-mode CPU time, µs."""
    cpu_periods: int | None = None
    """CPU cap periods with runnable tasks."""
    cpu_throttled_periods: int | None = None
    """Periods in which the group was throttled."""
    cpu_throttled_usec: int | None = None
    """Time throttled, µs."""
    pids_current: int | None = None
    """Processes and threads."""
    pids_max_events: int | None = None
    """Forks refused by the pids limit."""
    io_read_bytes: int | None = None
    """Bytes read, summed over devices."""
    io_write_bytes: int | None = None
    """Bytes written."""
    io_read_ios: int | None = None
    """Read operations."""
    io_write_ios: int | None = None
    """Write operations."""

    @classmethod
    def _from_struct(cls, struct: _native.StatsStruct) -> Stats:
        present = Stat(struct.present & Stat.ALL)
        values = {
            field: getattr(struct, field)
            for kind, fields in _FIELDS.items()
            if kind in present
            for field in fields
        }
        return cls(present=present, **values)


def _new_struct() -> _native.StatsStruct:
    return _native.StatsStruct(size=ctypes.sizeof(_native.StatsStruct))


def _want(want: int) -> int:
    return integer(int(want), "want")


def read(cg: ctypes._Pointer[_native.CgroupHandle], want: int) -> Stats:
    """One read of the statistics ``want`` of the group ``cg``."""
    struct = _new_struct()
    _native.library().cgroups_stats_read(cg, _want(want), byref(struct))
    return Stats._from_struct(struct)


class StatsReader(Handle["ctypes._Pointer[_native.StatsReaderHandle]"]):
    """Reads the same group's statistics again and again, with the files it needs kept open
    (one ``pread`` per file and read). Made by :meth:`Cgroup.stats_reader`; it stays usable
    after the group's handle is closed, and may be used from several threads at once. A
    ``with`` block closes it at its end (it holds up to three descriptors per group)."""

    def __init__(self, cg: ctypes._Pointer[_native.CgroupHandle], want: int) -> None:
        handle = _native.stats_reader_p()
        lib = _native.library()
        lib.cgroups_stats_reader_new(cg, _want(want), byref(handle))
        self._own(handle, lib.cgroups_stats_reader_free)

    def __repr__(self) -> str:
        return f"<StatsReader{' (closed)' if self.closed else ''}>"

    def read(self) -> Stats:
        """The statistics now.

        Raises:
            NotFoundError: the group was removed.
        """
        struct = _new_struct()
        _native.library().cgroups_stats_reader_read(self._live, byref(struct))
        return Stats._from_struct(struct)
