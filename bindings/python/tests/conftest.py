# SPDX-License-Identifier: MIT OR Apache-2.0
"""Fixtures for the tests on the real kernel.

The tests run through ``bindings/with-test-base`` (``make check-bindings``, as root), which
sets ``CGROUPS_TEST_BASE`` to a base holding only a private test prefix: every group a test
opens lives there, through the package's ``BASE_CGROUPS``, and the prefix is removed after the
run. ``test_as_user.py`` runs a second time as the unprivileged test user, with this file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

import cgroups
from cgroups import Cgroup, NotFoundError


@pytest.fixture(scope="session")
def base() -> str:
    """The test base."""
    base = os.environ.get("CGROUPS_TEST_BASE")
    if not base:
        pytest.fail(
            "CGROUPS_TEST_BASE is not set: run the tests through bindings/with-test-base "
            "(make check-bindings)",
            pytrace=False,
        )
    return base


@pytest.fixture(autouse=True)
def on_test_base(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Groups opened without an explicit base go to the test base."""
    monkeypatch.setattr(cgroups, "BASE_CGROUPS", base)


def is_pure_v2(base: str) -> bool:
    """Whether the base is one cgroup2 tree (else one directory per hierarchy)."""
    return os.path.exists(os.path.join(base, "cgroup.controllers"))


def group_dirs(base: str, name: str, user: str) -> list[str]:
    """The directories of ``user``'s group ``name`` that exist, in every hierarchy."""
    roots = [base] if is_pure_v2(base) else [e.path for e in os.scandir(base) if e.is_dir()]
    candidates = (os.path.join(root, user, name) for root in roots)
    return [path for path in candidates if os.path.isdir(path)]


def loaded_library() -> str:
    """The file of the C library this process loaded."""
    cgroups.library_version()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if os.path.basename(path).startswith("libcgroups.so"):
                return path
    raise AssertionError("libcgroups is not mapped")


class Processes:
    """Processes a test starts, killed and reaped at its end."""

    def __init__(self) -> None:
        self._started: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], **popen: Any) -> subprocess.Popen[bytes]:
        """Starts ``argv``; keyword arguments go to ``subprocess.Popen``."""
        process = subprocess.Popen(argv, **popen)
        self._started.append(process)
        return process

    def sleep(self, **popen: Any) -> subprocess.Popen[bytes]:
        """Starts ``sleep 600``."""
        return self.start(["sleep", "600"], **popen)

    def spin(self, **popen: Any) -> subprocess.Popen[bytes]:
        """Starts a shell that keeps a CPU busy."""
        return self.start(["sh", "-c", "while :; do :; done"], **popen)

    def stop_all(self) -> None:
        for process in self._started:
            process.kill()
            process.wait()


@pytest.fixture
def processes() -> Iterator[Processes]:
    started = Processes()
    yield started
    started.stop_all()


@pytest.fixture
def group(request: pytest.FixtureRequest) -> Iterator[Cgroup]:
    """A group with cpu and memory named after the test, deleted at its end."""
    cg = Cgroup(request.node.originalname.replace("_", "-"), ["cpu", "memory"])
    yield cg
    try:
        cg.delete()
    except NotFoundError:
        pass
    cg.close()
