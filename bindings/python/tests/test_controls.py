# SPDX-License-Identifier: MIT OR Apache-2.0
"""Controls beyond the original package's two limits, freezing and killing, on the real kernel
(root)."""

from __future__ import annotations

import math
import os
import signal
import subprocess
from pathlib import Path

import pytest

from cgroups import (
    Cgroup,
    ControllerUnavailableError,
    Cpuset,
    InvalidArgumentError,
    IoMax,
    Status,
    TimedOutError,
    UnsupportedError,
)
from conftest import Processes, is_pure_v2


def test_cpu_max_caps_in_cpus_and_none_is_no_cap(base: str) -> None:
    with Cgroup("cpu-max", ["cpu"]) as cg:
        assert cg.cpu_max is None
        cg.set_cpu_max(1.5)
        assert cg.cpu_max == 1.5
        cg.set_cpu_max(0.25)
        assert cg.cpu_max == 0.25
        for bad in [0, -1, 0.001, math.nan, math.inf]:
            with pytest.raises(InvalidArgumentError):
                cg.set_cpu_max(bad)
        assert cg.cpu_max == 0.25, "refusals wrote nothing"
        cg.set_cpu_max()
        assert cg.cpu_max is None


def first_online_cpu() -> str:
    online = Path("/sys/devices/system/cpu/online").read_text()
    return online.split(",")[0].split("-")[0].strip()


def test_a_cpuset_is_set_per_half_and_read_back(base: str) -> None:
    cpu = first_online_cpu()
    with Cgroup("cpuset", ["cpuset"]) as cg:
        before = cg.cpuset
        assert isinstance(before, Cpuset)
        cg.set_cpuset(cpus=cpu, mems="0")
        assert cg.cpuset == Cpuset(cpus=cpu, mems="0")
        cg.set_cpuset(mems="0")
        assert cg.cpuset.cpus == cpu, "None leaves a half unchanged"
        for bad in ["x", "3-1", "0,,1"]:
            with pytest.raises(InvalidArgumentError):
                cg.set_cpuset(cpus=bad)
        with pytest.raises(InvalidArgumentError, match="NUL"):
            cg.set_cpuset(cpus="0\0")
        with pytest.raises(TypeError):
            cg.set_cpuset(cpus=0)  # type: ignore[arg-type]
        assert cg.cpuset == Cpuset(cpus=cpu, mems="0")
        if is_pure_v2(base):
            cg.set_cpuset("", "")
            assert cg.cpuset == Cpuset("", "")
        else:
            with pytest.raises(InvalidArgumentError):
                cg.set_cpuset(cpus="")


def test_memory_high_is_v2_only_and_read_in_bytes(base: str) -> None:
    with Cgroup("memory-high", ["memory"]) as cg:
        if not is_pure_v2(base):
            with pytest.raises(UnsupportedError):
                cg.set_memory_high(100)
            with pytest.raises(UnsupportedError):
                _ = cg.memory_high_bytes
            return
        assert cg.memory_high_bytes is None
        cg.set_memory_high(100)
        assert cg.memory_high_bytes == 100 << 20
        cg.set_memory_high(1, "gigabytes")
        assert cg.memory_high_bytes == 1 << 30
        with pytest.raises(InvalidArgumentError):
            cg.set_memory_high(0)
        with pytest.raises(InvalidArgumentError):
            cg.set_memory_high(1, "pages")
        cg.set_memory_high()
        assert cg.memory_high_bytes is None


def test_swap_limit_on_top_of_memory_and_zero_allowed(base: str) -> None:
    with Cgroup("swap-limit", ["memory"]) as cg:
        try:
            swap = cg.swap_limit_bytes
        except UnsupportedError:
            with pytest.raises(UnsupportedError):
                cg.set_swap_limit(10)
            return
        assert swap is None
        if not is_pure_v2(base):
            with pytest.raises(InvalidArgumentError, match="memory limit"):
                cg.set_swap_limit(10)  # v1 caps memory + swap: a memory limit comes first
        cg.set_memory_limit(100)
        cg.set_swap_limit(50)
        assert cg.swap_limit_bytes == 50 << 20
        cg.set_memory_limit(200)
        assert cg.swap_limit_bytes == 50 << 20, "a new memory limit keeps the swap amount"
        cg.set_swap_limit(0)
        assert cg.swap_limit_bytes == 0
        cg.set_swap_limit()
        assert cg.swap_limit_bytes is None


def test_pids_limit_refuses_forks_and_zero_is_allowed(base: str) -> None:
    with Cgroup("pids-limit", ["pids"]) as cg:
        assert cg.pids_limit is None
        cg.set_pids_limit(0)
        assert cg.pids_limit == 0
        cg.set_pids_limit(1)
        # The shell itself may move in (migration ignores the limit); its fork is refused.
        forked = subprocess.run(
            ["sh", "-c", "true & wait"], preexec_fn=cg.attach_self, capture_output=True
        )
        assert forked.returncode != 0 and forked.stderr, forked
        cg.set_pids_limit(10)
        assert cg.pids_limit == 10
        for bad, error in [(4194305, InvalidArgumentError), (-1, InvalidArgumentError)]:
            with pytest.raises(error):
                cg.set_pids_limit(bad)
        with pytest.raises(TypeError):
            cg.set_pids_limit("10")  # type: ignore[arg-type]
        cg.set_pids_limit()
        assert cg.pids_limit is None


def a_whole_disk() -> tuple[str | None, str] | None:
    """A whole disk of this system: its /dev path if there is one, and MAJ:MIN."""
    disks = sorted(os.listdir("/sys/block")) if os.path.isdir("/sys/block") else []
    if not disks:
        return None
    number = Path("/sys/block", disks[0], "dev").read_text().strip()
    path = Path("/dev", disks[0])
    return (str(path) if path.exists() else None), number


def test_io_caps_are_set_per_device_and_none_lifts_them(base: str) -> None:
    with Cgroup("io-max", ["io"]) as cg:
        for bad in ["", "8", "/dev/null", "/nonexistent"]:
            with pytest.raises(InvalidArgumentError):
                cg.io_max(bad)
        disk = a_whole_disk()
        if disk is None:
            pytest.skip("no block device on this system: only the bad-device branch ran")
        path, number = disk
        device = Path(path) if path else number
        assert cg.io_max(device) == IoMax()
        cg.set_io_max(device, read_bps=1 << 20, read_iops=300, write_iops=2)
        assert cg.io_max(number) == IoMax(read_bps=1 << 20, read_iops=300, write_iops=2)
        with pytest.raises(InvalidArgumentError):
            cg.set_io_max(number, read_bps=1)
        with pytest.raises(InvalidArgumentError):
            cg.set_io_max(number, write_bps=-1)
        assert cg.io_max(number).read_bps == 1 << 20, "refusals wrote nothing"
        cg.set_io_max(number)
        assert cg.io_max(device) == IoMax()


def test_a_frozen_group_reports_frozen_until_thawed(base: str, processes: Processes) -> None:
    with Cgroup("freezer", ["freezer"]) as cg:
        member = processes.sleep(preexec_fn=cg.attach_self)
        assert cg.frozen is False
        cg.freeze()
        assert cg.frozen is True
        cg.freeze()
        assert member.poll() is None
        cg.thaw()
        assert cg.frozen is False


def test_kill_signals_every_member_and_wait_empty_waits_for_them(
    base: str, processes: Processes
) -> None:
    with Cgroup("killed") as cg:
        members = [processes.sleep(preexec_fn=cg.attach_self) for _ in range(2)]
        with pytest.raises(TimedOutError) as caught:
            cg.wait_empty(0)
        assert isinstance(caught.value, TimeoutError)
        assert caught.value.status == Status.TIMED_OUT
        cg.kill(signal.SIGTERM)
        cg.wait_empty(10)
        assert [member.wait() for member in members] == [-signal.SIGTERM] * 2
        assert cg.pids() == []
        cg.wait_empty()
        survivor = processes.sleep(preexec_fn=cg.attach_self)
        cg.kill()
        cg.wait_empty(10)
        assert survivor.wait() == -signal.SIGKILL


@pytest.mark.parametrize("bad", [0, -1, 100000])
def test_invalid_signals_are_refused(base: str, bad: int) -> None:
    with Cgroup("bad-signal", ["cpu"]) as cg:
        with pytest.raises(InvalidArgumentError):
            cg.kill(bad)


def test_bad_timeouts_are_refused(group: Cgroup) -> None:
    with pytest.raises(InvalidArgumentError):
        group.wait_empty(-1)
    with pytest.raises(TypeError):
        group.wait_empty("1")  # type: ignore[arg-type]
    group.wait_empty(0.0001)


def test_controls_of_a_hierarchy_the_group_lacks_say_so(base: str) -> None:
    if is_pure_v2(base):
        pytest.skip("on cgroup v2 one directory serves every controller")
    with Cgroup("cpu-only", ["cpu"]) as cg:
        for call in [
            lambda: cg.set_pids_limit(5),
            lambda: cg.pids_limit,
            lambda: cg.cpuset,
            lambda: cg.freeze(),
            lambda: cg.io_max("8:0"),
        ]:
            with pytest.raises(ControllerUnavailableError):
                call()
