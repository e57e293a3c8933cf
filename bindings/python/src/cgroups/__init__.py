# SPDX-License-Identifier: MIT OR Apache-2.0
"""Linux control groups for Python, over the libcgroups-rs C library.

A drop-in for the original ``cgroups`` package::

    from cgroups import Cgroup

    cg = Cgroup('charlie')        # created, or loaded if it exists
    cg.set_cpu_limit(50)          # half the default CPU share
    cg.set_memory_limit(500)      # megabytes
    cg.add(27033)

and more: ``with Cgroup('job') as cg:`` deletes the group at the end of the block, every
failure raises a :class:`CgroupsError` subclass carrying ``status``, ``errno`` and the
library's message, :class:`Context` opens many groups cheaply (also below a delegated cgroup
or a systemd scope), and a group has the whole C library's calls: :meth:`Cgroup.spawn` (a
Popen-like :class:`Process`, a member from its first instruction on cgroup v2), CPU caps,
cpusets, memory throttling, swap, pids and I/O limits, freeze, kill, statistics
(:class:`Stats`), pressure and event watches (:class:`Watch`, usable with ``selectors``). Works
on cgroup v2, v1 and hybrid hosts; non-root users manage their own groups after
``user_cgroups USER`` (as root).
"""

from typing import Optional

from ._arguments import MEMORY_UNITS
from .cgroup import Cgroup, Cpuset, IoMax, library_version, user_setup
from .context import SCOPE_MANAGERS, Context
from .errors import (
    BusyError,
    CgroupsError,
    ControllerUnavailableError,
    InternalError,
    InvalidArgumentError,
    LibraryNotFoundError,
    NoSuchProcessError,
    NoSuchUserError,
    NotFoundError,
    NotMountedError,
    NullArgumentError,
    OperatingSystemError,
    PermissionDeniedError,
    Status,
    TimedOutError,
    UnsupportedError,
)
from .pressure import Pressure, PressureStall, PressureTrigger
from .spawn import Process
from .stats import Stat, Stats, StatsReader
from .watch import Event, Watch

__version__ = "0.1.0"

#: The cgroup mount groups are opened on, read at each open: set ``cgroups.BASE_CGROUPS`` to
#: a path (a directory holding cgroup mounts, a cgroup2 mount, or a directory inside one) to
#: use another. None, the default, means the host's mount from ``/proc/self/mountinfo``.
BASE_CGROUPS: Optional[str] = None

__all__ = [
    "BASE_CGROUPS",
    "MEMORY_UNITS",
    "SCOPE_MANAGERS",
    "BusyError",
    "Cgroup",
    "CgroupsError",
    "Context",
    "ControllerUnavailableError",
    "Cpuset",
    "Event",
    "IoMax",
    "InternalError",
    "InvalidArgumentError",
    "LibraryNotFoundError",
    "NoSuchProcessError",
    "NoSuchUserError",
    "NotFoundError",
    "NotMountedError",
    "NullArgumentError",
    "OperatingSystemError",
    "PermissionDeniedError",
    "Pressure",
    "PressureStall",
    "PressureTrigger",
    "Process",
    "Stat",
    "Stats",
    "StatsReader",
    "Status",
    "TimedOutError",
    "UnsupportedError",
    "Watch",
    "library_version",
    "user_setup",
]
