# SPDX-License-Identifier: MIT OR Apache-2.0
"""Contexts: a base and a user (or a delegated cgroup, or a systemd scope) resolved once."""

from __future__ import annotations

import ctypes
from ctypes import byref

from . import _arguments as args
from . import _native
from ._arguments import Hierarchies, PathLike
from ._handle import Handle
from .cgroup import Cgroup

__all__ = ["Context", "SCOPE_MANAGERS"]

#: The managers :meth:`Context.scope` can ask (``CGROUPS_SCOPE_SYSTEM``, ``CGROUPS_SCOPE_USER``).
SCOPE_MANAGERS = {"system": 1, "user": 2}


class Context(Handle["ctypes._Pointer[_native.ContextHandle]"]):
    """A base and a user resolved once, for opening many groups cheaply.

    ``Context(base=None, user='current')`` resolves the base (default: the package's
    ``BASE_CGROUPS``, else the host's mount) and the user; :meth:`open` then reads neither
    ``/proc/self/mountinfo`` nor the passwd database again. Groups outlive their context.
    A ``with`` block frees the context at its end.
    """

    user: str | None
    """The user whose subtree the groups go in (None for :meth:`own_cgroup` and
    :meth:`scope`)."""

    def __init__(self, base: PathLike | None = None, user: str | None = "current") -> None:
        handle = _native.context_p()
        _native.library().cgroups_context_new(args.base(base), args.user(user), byref(handle))
        self._adopt(handle, args.user_name(user))

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
        _native.library().cgroups_context_new_self(args.base(base), byref(handle))
        return cls._from_handle(handle)

    @classmethod
    def scope(
        cls,
        unit: str | None = None,
        slice: str | None = None,
        pid: int = 0,
        *,
        manager: str | None = None,
    ) -> Context:
        """A context at a new systemd transient scope with ``Delegate=yes``.

        Asks systemd for the scope ``unit`` ("NAME.scope"; None: a unique generated name) in
        ``slice`` (None: the manager's default) holding the process ``pid`` (0: the caller),
        waits until the manager's job is done, and returns a context rooted at the scope's
        cgroup, as :meth:`own_cgroup` would from inside it. ``manager`` is ``'system'``,
        ``'user'`` (the caller's user manager) or None (system for root, user otherwise). For a
        non-root user on cgroup v2 this is the way that needs no root at all.

        Raises:
            InvalidArgumentError: a bad unit or slice name, an unknown manager, a bad pid.
            UnsupportedError: PID 1 is not systemd, its bus is unreachable, or the library was
                built without systemd support (nothing is moved).
            PermissionDeniedError: the manager refused.
            NoSuchProcessError: no process ``pid``.
        """
        if manager is not None and manager not in SCOPE_MANAGERS:
            known = ", ".join(repr(known) for known in SCOPE_MANAGERS)
            raise args.invalid(f"unknown manager {manager!r} (known: {known}, or None)")
        handle = _native.context_p()
        _native.library().cgroups_context_new_scope(
            args.text(unit, "unit"),
            args.text(slice, "slice"),
            args.pid(pid, allow_self=True),
            0 if manager is None else SCOPE_MANAGERS[manager],
            byref(handle),
        )
        return cls._from_handle(handle)

    @classmethod
    def _from_handle(cls, handle: ctypes._Pointer[_native.ContextHandle]) -> Context:
        """A context rooted at a cgroup, not at a user's subtree."""
        context = cls.__new__(cls)
        context._adopt(handle, None)
        return context

    def _adopt(self, handle: ctypes._Pointer[_native.ContextHandle], user: str | None) -> None:
        self._own(handle, _native.library().cgroups_context_free)
        self.user = user

    def __repr__(self) -> str:
        return f"<Context of {self.user!r}{' (closed)' if self.closed else ''}>"

    def open(self, name: str, hierarchies: Hierarchies = "all") -> Cgroup:
        """Opens (creates, or loads) the group ``name`` in this context; as :class:`Cgroup`."""
        context = self._live
        hierarchies = args.asked(hierarchies)
        controllers = args.controllers(hierarchies)
        handle = _native.cgroup_p()
        _native.library().cgroups_context_open(
            context, args.text(name, "name"), controllers, byref(handle)
        )
        return Cgroup._from_handle(handle, name, hierarchies, self.user)
