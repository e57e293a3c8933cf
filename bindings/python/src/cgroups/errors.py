# SPDX-License-Identifier: MIT OR Apache-2.0
"""Errors: one exception class per status of the C library.

Every failed call raises a subclass of :class:`CgroupsError` chosen by the status the library
returned. Its message is the library's complete sentence for the failure (it already names the
category, the path and the OS error); ``status`` and ``errno`` carry the rest. Where a Python
built-in exception means the same thing, the class derives from it too, so that
``except PermissionError`` or ``except ValueError`` catch what they should.
"""

from __future__ import annotations

import enum
from typing import ClassVar

__all__ = [
    "Status",
    "CgroupsError",
    "NullArgumentError",
    "InvalidArgumentError",
    "NotMountedError",
    "ControllerUnavailableError",
    "PermissionDeniedError",
    "NoSuchProcessError",
    "NoSuchUserError",
    "NotFoundError",
    "BusyError",
    "UnsupportedError",
    "OperatingSystemError",
    "InternalError",
    "TimedOutError",
    "LibraryNotFoundError",
]


class Status(enum.IntEnum):
    """The library's status codes (``cgroups_status``); fixed values, never reused."""

    OK = 0
    NULL_ARGUMENT = 1
    INVALID_ARGUMENT = 2
    NOT_MOUNTED = 3
    CONTROLLER_UNAVAILABLE = 4
    PERMISSION = 5
    NO_SUCH_PROCESS = 6
    NO_SUCH_USER = 7
    NOT_FOUND = 8
    BUSY = 9
    UNSUPPORTED = 10
    OS = 11
    INTERNAL = 12
    TIMED_OUT = 13


_BY_STATUS: dict[int, type[CgroupsError]] = {}


class CgroupsError(Exception):
    """A failed call of the library.

    Attributes:
        message: the library's description of the failure, a complete sentence that names its
            category (``str(error)`` is the same).
        status: the :class:`Status` the library returned (a plain ``int`` for a status newer
            than this package).
        errno: the OS error number behind the failure, or 0 when it had none (typed as
            ``OSError.errno`` is, since some of the subclasses are ``OSError`` too).
    """

    status_kind: ClassVar[Status | None] = None

    def __init_subclass__(cls, status: Status | None = None, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status_kind = status
            _BY_STATUS[status] = cls

    def __init__(self, message: str, *, status: Status | int | None = None, errno: int = 0) -> None:
        super().__init__(message)
        self.message = message
        chosen = self.status_kind if status is None else status
        self.status: Status | int = Status.INTERNAL if chosen is None else chosen
        self.errno: int | None = errno

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, errno={self.errno})"
        )


class NullArgumentError(CgroupsError, status=Status.NULL_ARGUMENT):
    """A required argument reached the library as NULL (a bug in this package)."""


class InvalidArgumentError(CgroupsError, ValueError, status=Status.INVALID_ARGUMENT):
    """An argument is malformed or out of range: a name, percentage, size, unit, pid, hierarchy."""


class NotMountedError(CgroupsError, status=Status.NOT_MOUNTED):
    """No cgroup filesystem at the base."""


class ControllerUnavailableError(CgroupsError, status=Status.CONTROLLER_UNAVAILABLE):
    """The host, or the group, lacks a requested hierarchy (controller)."""


class PermissionDeniedError(CgroupsError, PermissionError, status=Status.PERMISSION):
    """The kernel refused for lack of privilege; the message says what to do instead."""


class NoSuchProcessError(CgroupsError, ProcessLookupError, status=Status.NO_SUCH_PROCESS):
    """The process does not exist."""


class NoSuchUserError(CgroupsError, LookupError, status=Status.NO_SUCH_USER):
    """The user has no passwd entry."""


class NotFoundError(CgroupsError, FileNotFoundError, status=Status.NOT_FOUND):
    """The group does not exist (any more): deleted, possibly by someone else."""


class BusyError(CgroupsError, status=Status.BUSY):
    """Busy: child groups, a memory limit below usage (v1), or processes where v2 forbids them."""


class UnsupportedError(CgroupsError, status=Status.UNSUPPORTED):
    """The running kernel lacks the interface."""


class OperatingSystemError(CgroupsError, OSError, status=Status.OS):
    """Another operating-system error; ``errno`` tells which."""


class InternalError(CgroupsError, status=Status.INTERNAL):
    """A bug in the library (a caught panic); please report it."""


class TimedOutError(CgroupsError, TimeoutError, status=Status.TIMED_OUT):
    """A bounded wait ended first: the group did not freeze, thaw or empty in time."""


class LibraryNotFoundError(ImportError):
    """The C library (``libcgroups.so.0``) could not be loaded."""


def error_for(status: int, message: str, errno: int) -> CgroupsError:
    """The exception for a failed call's status, message and errno."""
    kind: Status | int
    try:
        kind = Status(status)
    except ValueError:
        kind = status
    return _BY_STATUS.get(status, CgroupsError)(message, status=kind, errno=errno)
