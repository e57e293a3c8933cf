# SPDX-License-Identifier: MIT OR Apache-2.0
"""Non-root use (user side): run as the unprivileged test user by
``test_user_cgroups.py::test_a_prepared_user_manages_their_own_groups_without_root``, after
root prepared the user's subtree with ``user_setup``; skipped otherwise."""

from __future__ import annotations

import errno
import os
import signal

import pytest

from cgroups import Cgroup, Event, PermissionDeniedError, Stat, UnsupportedError, user_setup
from cgroups._cli import main as user_cgroups
from conftest import Processes, is_pure_v2

pytestmark = pytest.mark.skipif(
    "CGROUPS_TEST_USER_SIDE" not in os.environ,
    reason="runs as the unprivileged user, started by test_user_cgroups.py",
)


def test_the_user_runs_the_original_quick_start(processes: Processes) -> None:
    cg = Cgroup("charlie")
    cg.set_cpu_limit(50)
    cg.set_memory_limit(500)

    def in_my_cgroup() -> None:
        Cgroup("charlie").add(os.getpid())

    worker = processes.sleep(preexec_fn=in_my_cgroup)
    cg.set_cpu_limit(80)
    assert (cg.pids(), cg.memory_limit) == ([worker.pid], 500)
    assert cg.cpu_limit == pytest.approx(80, abs=0.1)
    cg.delete()
    assert worker.poll() is None, "delete must not kill"


def test_the_user_moves_their_own_processes_in_and_out(group: Cgroup, processes: Processes) -> None:
    inside = processes.sleep(preexec_fn=group.attach_self)
    own = processes.sleep()
    group.add(own.pid)
    assert group.pids() == sorted([inside.pid, own.pid])
    group.remove(own.pid)
    assert group.pids() == [inside.pid]


def test_another_users_process_is_refused_with_the_reason(group: Cgroup) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        group.add(1)  # init: root's
    assert isinstance(caught.value, PermissionError)
    assert caught.value.errno in (errno.EACCES, errno.EPERM)
    assert "another user" in str(caught.value)


def test_an_own_process_outside_the_subtree_is_refused_on_v2_only(base: str, group: Cgroup) -> None:
    outsider = int(os.environ["CGROUPS_TEST_OUTSIDER"])
    if is_pure_v2(base):
        with pytest.raises(PermissionDeniedError, match="common ancestor"):
            group.add(outsider)
    else:
        group.add(outsider)
        group.remove(outsider)


def test_another_users_subtree_is_out_of_reach() -> None:
    with pytest.raises(PermissionDeniedError, match="delegate"):
        Cgroup("theirs", ["cpu"], user="root")


def test_setting_up_users_needs_root(base: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PermissionDeniedError, match="root"):
        user_setup("root")
    assert user_cgroups(["--base", base, "root"]) == 1
    assert capsys.readouterr().err.startswith("user_cgroups: permission denied")


def test_the_user_controls_freezes_and_kills_their_own_group(processes: Processes) -> None:
    with Cgroup("controlled") as cg:
        cg.set_cpu_max(0.5)
        assert cg.cpu_max == 0.5
        members = [processes.sleep(preexec_fn=cg.attach_self) for _ in range(2)]
        cg.freeze()
        assert cg.frozen
        cg.thaw()
        cg.kill(signal.SIGTERM)
        cg.wait_empty(10)
        assert [member.wait() for member in members] == [-signal.SIGTERM] * 2


def test_the_user_reads_statistics_and_watches_their_own_group(
    group: Cgroup, processes: Processes
) -> None:
    member = processes.sleep(preexec_fn=group.attach_self)
    stats = group.stats()
    assert Stat.MEMORY_CURRENT in stats.present and stats.memory_current
    with group.watch(Event.EMPTY) as watch:
        assert watch.read() == Event(0)
        member.kill()
        member.wait()
        assert watch.wait(10) == Event.EMPTY


def test_the_user_makes_a_pressure_trigger_with_a_window_of_whole_seconds(
    base: str, group: Cgroup
) -> None:
    # Linux 6.5+ lets an unprivileged user have only windows that are multiples of 2 s.
    try:
        trigger = group.pressure_trigger("memory", stall=0.1, window=2)
    except UnsupportedError:
        assert not is_pure_v2(base)
        return
    with trigger:
        assert trigger.wait(0) is False


def test_the_user_spawns_into_their_own_group(group: Cgroup) -> None:
    with group.spawn(["sleep", "600"]) as sleeper:
        assert group.pids() == [sleeper.pid]
        sleeper.kill()
