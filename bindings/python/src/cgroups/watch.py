# SPDX-License-Identifier: MIT OR Apache-2.0
"""Event watches: :meth:`Cgroup.watch` gives a :class:`Watch` whose descriptor a ``selectors``
loop can wait on beside sockets and pipes."""

from __future__ import annotations

import ctypes
import enum
from ctypes import byref, c_uint32

from . import _native
from ._arguments import integer, timeout_ms
from ._handle import Handle

__all__ = ["Event", "Watch"]


class Event(enum.IntFlag):
    """Events of a group (``CGROUPS_EVENT_*``)."""

    EMPTY = 1
    """The last process left or exited."""
    OOM = 2
    """The OOM killer ran in the group."""
    MEMORY_HIGH = 4
    """memory.high was exceeded (cgroup v2)."""
    PIDS_MAX = 8
    """A fork was refused by the pids limit."""
    FROZEN = 16
    """A freeze completed."""


class Watch(Handle["ctypes._Pointer[_native.WatchHandle]"]):
    """A watch on a group's events, made by :meth:`Cgroup.watch`.

    Its descriptor (:meth:`fileno`) is readable when something may have fired: register the
    watch with a ``selectors`` selector for EVENT_READ, then call :meth:`read`; or block in
    :meth:`wait`. EMPTY and FROZEN are reported when the group is found empty (frozen) after
    being seen otherwise; OOM, MEMORY_HIGH and PIDS_MAX when the kernel's counter grew. The
    first read reports what is already so when the watch is made, so make the watch once the
    job's first process is in the group. It stays usable after the group's handle is closed;
    use it from one thread at a time. A ``with`` block closes it at its end.
    """

    def __init__(self, cg: ctypes._Pointer[_native.CgroupHandle], events: int) -> None:
        handle = _native.watch_p()
        lib = _native.library()
        lib.cgroups_watch_new(cg, integer(int(events), "events", 0xFFFFFFFF), byref(handle))
        self._own(handle, lib.cgroups_watch_free)

    def __repr__(self) -> str:
        return f"<Watch{' (closed)' if self.closed else ''}>"

    def fileno(self) -> int:
        """The descriptor to wait on for reading (owned by the watch: do not close it)."""
        descriptor: int = _native.library().cgroups_watch_fd(self._live)
        return descriptor

    def read(self) -> Event:
        """The events that fired since the last read, without blocking (``Event(0)`` when
        none did).

        Raises:
            NotFoundError: the group was removed.
        """
        events = c_uint32()
        _native.library().cgroups_watch_read(self._live, byref(events))
        return Event(events.value)

    def wait(self, timeout: float | None = None) -> Event:
        """Waits up to ``timeout`` seconds (None: without limit) for events; ``Event(0)`` when
        the time passed with none. The wait runs in the library (other threads keep running;
        a signal's Python handler runs once it returns): give a timeout to stay responsive.

        Raises:
            NotFoundError: the group was removed.
        """
        events = c_uint32()
        _native.library().cgroups_watch_wait(self._live, timeout_ms(timeout), byref(events))
        return Event(events.value)
