# SPDX-License-Identifier: MIT OR Apache-2.0
"""Starting programs inside a group: :meth:`Cgroup.spawn` gives a :class:`Process`, the part of
``subprocess.Popen``'s interface that applies to a program the library started."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from ctypes import byref, c_char_p
from typing import Union

from . import _native
from ._arguments import invalid, path, text
from ._handle import WithBlock

__all__ = ["Process"]

Arguments = Sequence[Union[str, "os.PathLike[str]"]]


def _string_array(strings: list[bytes | None]) -> ctypes.Array[c_char_p]:
    """A NULL-terminated array of C strings."""
    return (c_char_p * (len(strings) + 1))(*strings, None)


def start(
    cg: ctypes._Pointer[_native.CgroupHandle],
    args: Arguments,
    env: Mapping[str, str] | None,
) -> int:
    """Starts ``args`` in the group ``cg`` through the library; its pid."""
    if isinstance(args, (str, bytes)) or not isinstance(args, Sequence):
        raise TypeError("args must be a sequence of strings, as for subprocess.Popen without shell")
    if not args:
        raise invalid("args is empty: it needs at least the program")
    argv = [path(arg, "argument") for arg in args]
    envp = None
    if env is not None:
        for name in env:
            if not isinstance(name, str) or not name or "=" in name:
                raise invalid(f"environment variable name {name!r} is empty or contains '='")
        envp = _string_array(
            [text(f"{name}={value}", "environment entry") for name, value in env.items()]
        )
    pid = _native.pid_t()
    _native.library().cgroups_spawn(cg, argv[0], _string_array(argv), envp, byref(pid))
    return pid.value


class Process(WithBlock):
    """A program started by :meth:`Cgroup.spawn`, with ``subprocess.Popen``'s ``args``, ``pid``,
    ``returncode``, :meth:`poll`, :meth:`wait`, :meth:`send_signal`, :meth:`terminate`,
    :meth:`kill` and ``with`` (which waits for it). It shares the caller's standard streams
    and environment (unless ``env`` was given); ``returncode`` is ``-N`` when signal N ended
    it. Reap it (:meth:`wait` or :meth:`poll` until it returns) as a Popen."""

    args: list[str | os.PathLike[str]]
    """The program and its arguments, as given."""
    pid: int
    """The process id."""
    returncode: int | None
    """The exit status once reaped (``-N`` for signal N), else None."""

    def __init__(self, args: Arguments, pid: int) -> None:
        self.args = list(args)
        self.pid = pid
        self.returncode = None

    def __repr__(self) -> str:
        return f"<Process pid={self.pid} returncode={self.returncode} args={self.args!r}>"

    def _end_of_block(self) -> None:
        """A ``with`` block waits for the program, as Popen's does."""
        self.wait()

    def _reap(self, options: int) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, options)
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def poll(self) -> int | None:
        """The exit status if the program ended (reaping it), else None."""
        return self._reap(os.WNOHANG)

    def wait(self, timeout: float | None = None) -> int:
        """Waits for the program to end, for at most ``timeout`` seconds, and returns its exit
        status.

        Raises:
            subprocess.TimeoutExpired: it still runs at the timeout.
        """
        if timeout is None:
            returncode = self._reap(0)
        else:
            deadline = time.monotonic() + timeout
            delay = 0.0005
            while (returncode := self.poll()) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise subprocess.TimeoutExpired(self.args, timeout)
                delay = min(delay * 2, left, 0.05)
                time.sleep(delay)
        assert returncode is not None
        return returncode

    def send_signal(self, sig: int) -> None:
        """Sends ``sig`` to the program unless it was reaped already."""
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        """Sends SIGTERM."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Sends SIGKILL."""
        self.send_signal(signal.SIGKILL)


def directory_descriptor(cg: ctypes._Pointer[_native.CgroupHandle], controller: int) -> int:
    """A new descriptor of the group's directory in the hierarchy serving ``controller``."""
    descriptor = ctypes.c_int()
    _native.library().cgroups_dir_fd(cg, controller, byref(descriptor))
    return descriptor.value
