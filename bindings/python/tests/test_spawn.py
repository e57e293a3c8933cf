# SPDX-License-Identifier: MIT OR Apache-2.0
"""Starting programs inside a group, on the real kernel (root)."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
from pathlib import Path

import pytest

from cgroups import (
    Cgroup,
    ControllerUnavailableError,
    InvalidArgumentError,
    OperatingSystemError,
    Process,
)
from conftest import is_pure_v2


def test_a_spawned_program_is_a_member_and_is_reaped_as_a_popen(group: Cgroup) -> None:
    sleeper = group.spawn(["sleep", "600"])
    assert isinstance(sleeper, Process)
    assert group.pids() == [sleeper.pid]
    assert (sleeper.poll(), sleeper.returncode) == (None, None)
    with pytest.raises(subprocess.TimeoutExpired):
        sleeper.wait(timeout=0.01)
    sleeper.kill()
    assert sleeper.wait() == -signal.SIGKILL
    sleeper.kill()  # reaped: nothing to signal
    with group.spawn(["sh", "-c", "exit 3"]) as done:
        pass
    assert done.returncode == 3


def test_the_program_sees_itself_in_the_group_and_gets_the_environment_given(
    group: Cgroup, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    script = 'cat /proc/self/cgroup > "$OUT"; echo "$GREETING" >> "$OUT"'
    env = {"PATH": os.environ["PATH"], "OUT": str(out), "GREETING": "hello"}
    assert group.spawn(["sh", "-c", script], env=env).wait() == 0
    lines = out.read_text().splitlines()
    assert lines[-1] == "hello"
    assert any(line.endswith(f"/root/{group.name}") for line in lines[:-1]), lines


def test_without_env_the_program_inherits_the_callers(
    group: Cgroup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CGROUPS_TEST_INHERITED", "yes")
    out = tmp_path / "out"
    script = f'echo "$CGROUPS_TEST_INHERITED" > {out}'
    assert group.spawn([Path("/bin/sh"), "-c", script]).wait() == 0
    assert out.read_text() == "yes\n"


@pytest.mark.parametrize("program", ["/nonexistent/program", "no-such-program-cgroups-rs"])
def test_a_program_that_cannot_run_raises_with_execs_errno(group: Cgroup, program: str) -> None:
    with pytest.raises(OperatingSystemError) as caught:
        group.spawn([program])
    assert caught.value.errno == errno.ENOENT
    assert isinstance(caught.value, OSError)
    assert group.pids() == [], "nothing is left running"


def test_bad_spawn_arguments_are_refused(group: Cgroup) -> None:
    with pytest.raises(InvalidArgumentError):
        group.spawn([])
    with pytest.raises(TypeError):
        group.spawn("sleep 1")  # type: ignore[arg-type]
    for env in [{"A=B": "x"}, {"": "x"}, {"A": "x\0y"}]:
        with pytest.raises(InvalidArgumentError):
            group.spawn(["true"], env=env)
    assert group.pids() == []


def test_a_directory_descriptor_reaches_the_groups_files(base: str, group: Cgroup) -> None:
    descriptor = group.dir_fd("memory")
    try:
        assert "cgroup.procs" in os.listdir(descriptor)
    finally:
        os.close(descriptor)
    with pytest.raises(InvalidArgumentError):
        group.dir_fd("bogus")
    if not is_pure_v2(base):
        with pytest.raises(ControllerUnavailableError):
            group.dir_fd("pids")
