# SPDX-License-Identifier: MIT OR Apache-2.0
"""Non-root use (root side): the ``user_cgroups`` command, and the user-side tests of
``test_as_user.py`` started as the unprivileged test user (``CGROUPS_TEST_USER``, default
``nobody``) after the user's subtree was prepared."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

import pytest

import cgroups
from cgroups import NoSuchUserError, user_setup
from conftest import Processes, is_pure_v2, loaded_library

HERE = Path(__file__).resolve().parent
USER_CGROUPS = shutil.which("user_cgroups", path=sysconfig.get_path("scripts"))


@pytest.fixture(scope="session")
def test_user() -> pwd.struct_passwd:
    name = os.environ.get("CGROUPS_TEST_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pytest.fail(f"no passwd entry for the test user {name}", pytrace=False)


def as_user(user: pwd.struct_passwd, join: list[str] | None = None) -> Callable[[], None]:
    """A preexec_fn that moves the child into the cgroups whose ``cgroup.procs`` are ``join``
    (as root), then becomes ``user``."""

    def preexec() -> None:
        for procs in join or []:
            with open(procs, "w") as file:
                file.write("0")
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return preexec


def user_sessions(base: str, user: str) -> list[str]:
    """The ``cgroup.procs`` of the user's own group in each hierarchy prepared for the user
    (v2: the user's leaf), where a login session of the user would live."""
    if is_pure_v2(base):
        return [os.path.join(base, user, "cgroups.user", "cgroup.procs")]
    hierarchies = [entry.path for entry in os.scandir(base) if entry.is_dir()]
    sessions = [os.path.join(h, user, "cgroup.procs") for h in hierarchies]
    return [procs for procs in sessions if os.path.exists(procs)]


@pytest.fixture
def user_copy() -> Iterator[Path]:
    """A directory the test user can read, holding this package, the library, and the
    user-side tests: the checkout, or a virtual environment, may be out of the user's reach."""
    scratch = Path(tempfile.mkdtemp(prefix="cgroups-test-bindings-user-"))
    try:
        scratch.chmod(0o755)
        shutil.copytree(Path(cgroups.__file__).parent, scratch / "cgroups")
        for name in ["conftest.py", "test_as_user.py"]:
            shutil.copy(HERE / name, scratch / name)
        shutil.copy(loaded_library(), scratch / "libcgroups.so.0")
        yield scratch
    finally:
        shutil.rmtree(scratch)


def run_user_side(
    user: pwd.struct_passwd, scratch: Path, join: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Runs ``test_as_user.py`` as ``user`` in the cgroups of ``join``; pytest comes from the
    base interpreter's site packages (Debian's python3-pytest), or from where it is here."""
    pytest_site = str(Path(pytest.__file__).parent.parent)
    done = subprocess.run(
        [
            getattr(sys, "_base_executable", sys.executable),
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-v",
            str(scratch / "test_as_user.py"),
        ],
        cwd=scratch,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(scratch),
            "PYTHONPATH": f"{scratch}:{pytest_site}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "CGROUPS_LIBRARY": str(scratch / "libcgroups.so.0"),
            "CGROUPS_TEST_BASE": os.environ["CGROUPS_TEST_BASE"],
            "CGROUPS_TEST_USER_SIDE": "1",
            **env,
        },
        preexec_fn=as_user(user, join),
        capture_output=True,
        text=True,
    )
    print(done.stdout, done.stderr)
    return done


def test_the_user_cgroups_command_sets_up_and_reports_errors(
    base: str, test_user: pwd.struct_passwd
) -> None:
    assert USER_CGROUPS, "the package's user_cgroups script is installed"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([USER_CGROUPS, *args], capture_output=True, text=True)

    assert run("--help").returncode == 0
    assert run().returncode == 2
    assert run("--bogus", "x").returncode == 2
    assert run("a", "b").returncode == 2
    unknown = run("--base", base, "no-such-user-cgroups-rs")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("user_cgroups: no such user")
    for _ in range(2):
        done = run("--base", base, test_user.pw_name)
        assert done.returncode == 0, done.stderr
    sessions = user_sessions(base, test_user.pw_name)
    assert sessions
    assert all(os.stat(procs).st_uid == test_user.pw_uid for procs in sessions)


def test_user_setup_refuses_unknown_users(base: str) -> None:
    with pytest.raises(NoSuchUserError):
        user_setup("no-such-user-cgroups-rs")


def test_a_prepared_user_manages_their_own_groups_without_root(
    base: str, test_user: pwd.struct_passwd, processes: Processes, user_copy: Path
) -> None:
    user_setup(test_user.pw_name)
    outsider = processes.sleep(preexec_fn=as_user(test_user))
    done = run_user_side(
        test_user,
        user_copy,
        user_sessions(base, test_user.pw_name),
        {"CGROUPS_TEST_OUTSIDER": str(outsider.pid)},
    )
    assert done.returncode == 0, "the user side failed"
    assert " passed" in done.stdout and "skipped" not in done.stdout
