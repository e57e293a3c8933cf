# SPDX-License-Identifier: MIT OR Apache-2.0
"""What every object that owns something of the library's (or a descriptor) shares: freeing it
once, by :meth:`Handle.close`, at the end of a ``with`` block, or when it is garbage-collected;
and the ``with`` block itself, which :class:`cgroups.Process` shares too."""

from __future__ import annotations

import weakref
from types import TracebackType
from typing import Callable, Generic, TypeVar

_Owned = TypeVar("_Owned")
_Self = TypeVar("_Self", bound="WithBlock")


class WithBlock:
    """A ``with`` block on the object does :meth:`_end_of_block` at its end."""

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._end_of_block()

    def _end_of_block(self) -> None:
        raise NotImplementedError


class Handle(WithBlock, Generic[_Owned]):
    """Owns one handle (or descriptor) and the function that frees it."""

    _handle: _Owned | None

    def _own(self, handle: _Owned, free: Callable[[_Owned], object]) -> None:
        self._handle = handle
        self._free = weakref.finalize(self, free, handle)

    @property
    def _live(self) -> _Owned:
        """The handle; ValueError once closed (as for a closed file)."""
        if self._handle is None:
            raise ValueError(f"operation on a closed {self!r}")
        return self._handle

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._handle is None

    def close(self) -> None:
        """Frees the handle; calling it again does nothing. Further calls raise ValueError."""
        self._handle = None
        self._free()

    def _end_of_block(self) -> None:
        """A ``with`` block closes."""
        self.close()
