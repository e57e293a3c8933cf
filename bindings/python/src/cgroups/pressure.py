# SPDX-License-Identifier: MIT OR Apache-2.0
"""Pressure stall information (PSI) of a group: :meth:`Cgroup.pressure` reads it,
:meth:`Cgroup.pressure_trigger` makes a descriptor that wakes when stalls pass a threshold."""

from __future__ import annotations

import ctypes
import dataclasses
import os
import select
from ctypes import byref, c_int

from . import _native
from ._arguments import microseconds, pressure_resource, timeout_ms
from ._handle import Handle

__all__ = ["Pressure", "PressureStall", "PressureTrigger"]


@dataclasses.dataclass(frozen=True)
class PressureStall:
    """One line of a pressure file: the share of time tasks were stalled."""

    avg10: float
    """Percent of the last 10 s."""
    avg60: float
    """Percent of the last 60 s."""
    avg300: float
    """Percent of the last 300 s."""
    total_usec: int
    """Total stalled time since the group was made, µs."""


@dataclasses.dataclass(frozen=True)
class Pressure:
    """The pressure of one resource in a group."""

    some: PressureStall
    """Time some tasks were stalled."""
    full: PressureStall
    """Time all non-idle tasks were stalled at once (all 0 where the kernel has no such line,
    as for CPU before Linux 5.13)."""


def read(cg: ctypes._Pointer[_native.CgroupHandle], resource: str) -> Pressure:
    """The pressure of ``resource`` in the group ``cg``."""
    struct = _native.PressureStruct(size=ctypes.sizeof(_native.PressureStruct))
    _native.library().cgroups_pressure_read(cg, pressure_resource(resource), byref(struct))
    some, full = (
        PressureStall(
            avg10=getattr(struct, f"{line}_avg10"),
            avg60=getattr(struct, f"{line}_avg60"),
            avg300=getattr(struct, f"{line}_avg300"),
            total_usec=getattr(struct, f"{line}_total_usec"),
        )
        for line in ("some", "full")
    )
    return Pressure(some=some, full=full)


class PressureTrigger(Handle[int]):
    """A PSI trigger: its descriptor (:meth:`fileno`) polls ``select.POLLPRI`` each time the
    stall time within the window exceeds the threshold (at most once per window). Register it
    with ``select.poll()`` or ``select.epoll()`` for POLLPRI (a PSI descriptor is always
    readable, so ``selectors``' EVENT_READ does not tell), or call :meth:`wait`. Closing it
    (``close()``, a ``with`` block, or garbage collection) removes the trigger."""

    def __init__(
        self,
        cg: ctypes._Pointer[_native.CgroupHandle],
        resource: str,
        stall: float,
        window: float,
        full: bool,
    ) -> None:
        descriptor = c_int()
        _native.library().cgroups_pressure_trigger(
            cg,
            pressure_resource(resource),
            1 if full else 0,
            microseconds(stall, "stall"),
            microseconds(window, "window"),
            byref(descriptor),
        )
        self._own(descriptor.value, os.close)

    def __repr__(self) -> str:
        state = " (closed)" if self.closed else f" fd={self._handle}"
        return f"<PressureTrigger{state}>"

    def fileno(self) -> int:
        """The trigger's descriptor (owned by the trigger: do not close it)."""
        return self._live

    def wait(self, timeout: float | None = None) -> bool:
        """Waits up to ``timeout`` seconds (None: without limit) for the trigger to fire;
        True when it did."""
        poller = select.poll()
        poller.register(self._live, select.POLLPRI)
        return any(events & select.POLLPRI for _, events in poller.poll(timeout_ms(timeout)))
