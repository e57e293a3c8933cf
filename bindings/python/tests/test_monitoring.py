# SPDX-License-Identifier: MIT OR Apache-2.0
"""Statistics, pressure and event watches on the real kernel (root)."""

from __future__ import annotations

import os
import selectors
import subprocess
import time

import pytest

from cgroups import (
    Cgroup,
    ControllerUnavailableError,
    Event,
    InvalidArgumentError,
    NotFoundError,
    Pressure,
    Stat,
    Stats,
    UnsupportedError,
)
from conftest import Processes, is_pure_v2


def test_stats_give_what_the_group_has_and_none_for_the_rest(
    group: Cgroup, processes: Processes
) -> None:
    processes.sleep(preexec_fn=group.attach_self)  # its exec is charged to the group
    busy = "i=0; while [ $i -lt 20000 ]; do i=$((i + 1)); done"
    subprocess.run(["sh", "-c", busy], preexec_fn=group.attach_self, check=True)
    stats = group.stats()
    assert isinstance(stats, Stats)
    for kind in [Stat.MEMORY_CURRENT, Stat.MEMORY_STAT, Stat.CPU_USAGE]:
        assert kind in stats.present, kind
    assert stats.memory_current is not None and stats.memory_current > 0
    assert stats.cpu_usage_usec is not None and stats.cpu_usage_usec > 0
    assert stats.memory_anon is not None and stats.memory_file is not None
    assert Stat.PIDS not in stats.present, "the group was not opened with pids"
    assert (stats.pids_current, stats.pids_max_events) == (None, None)
    only = group.stats(Stat.MEMORY_CURRENT)
    assert only.present == Stat.MEMORY_CURRENT
    assert only.cpu_usage_usec is None and only.memory_anon is None


def test_pids_statistics_count_the_members(base: str, processes: Processes) -> None:
    with Cgroup("pids-stats", ["pids"]) as cg:
        processes.sleep(preexec_fn=cg.attach_self)
        processes.sleep(preexec_fn=cg.attach_self)
        stats = cg.stats(Stat.PIDS)
        assert (stats.present, stats.pids_current, stats.pids_max_events) == (Stat.PIDS, 2, 0)


def test_an_undefined_statistic_is_refused(group: Cgroup) -> None:
    with pytest.raises(InvalidArgumentError):
        group.stats(Stat.ALL | 512)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        group.stats_reader(512)  # type: ignore[arg-type]


def test_a_stats_reader_reads_again_and_outlives_the_handle(base: str) -> None:
    cg = Cgroup("reader", ["cpu", "memory"])
    with cg.stats_reader(Stat.MEMORY_CURRENT | Stat.CPU_USAGE) as reader:
        first, second = reader.read(), reader.read()
        assert first.present == second.present == Stat.MEMORY_CURRENT | Stat.CPU_USAGE
        cg.delete()
        cg.close()
        with pytest.raises(NotFoundError):
            reader.read()
    assert reader.closed
    with pytest.raises(ValueError, match="closed"):
        reader.read()


def test_pressure_reads_where_the_group_has_a_cgroup2_directory(group: Cgroup) -> None:
    with pytest.raises(InvalidArgumentError):
        group.pressure("pids")
    try:
        pressure = group.pressure("memory")
    except UnsupportedError as err:
        assert not is_pure_v2(os.environ["CGROUPS_TEST_BASE"]), err
        assert "cgroup2" in str(err) or "PSI" in str(err), err
        return
    assert isinstance(pressure, Pressure)
    for line in (pressure.some, pressure.full):
        assert 0 <= line.avg10 <= 100 and line.total_usec >= 0


def test_pressure_trigger_arguments_are_checked_first(group: Cgroup) -> None:
    for stall, window in [(0.15, 0.1), (0, 1), (0.15, 20)]:
        with pytest.raises(InvalidArgumentError):
            group.pressure_trigger("memory", stall, window)
    with pytest.raises(InvalidArgumentError):
        group.pressure_trigger("pids", 0.1, 1)


def test_a_cpu_pressure_trigger_fires_when_tasks_wait_for_a_cpu(
    base: str, processes: Processes
) -> None:
    with Cgroup("cpu-pressure", ["cpu"]) as cg:
        try:
            trigger = cg.pressure_trigger("cpu", stall=0.1, window=1)
        except UnsupportedError:
            assert not is_pure_v2(base)
            return
        with trigger:
            assert trigger.fileno() >= 0
            assert trigger.wait(0) is False

            def one_cpu() -> None:
                cg.attach_self()
                os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

            for _ in range(2):  # two spinners on one CPU: one of them always waits
                processes.spin(preexec_fn=one_cpu)
            assert trigger.wait(10), "the trigger never fired"
        assert trigger.closed
        cg.kill()
        cg.wait_empty(10)


def test_a_watch_reports_empty_through_a_selector(group: Cgroup, processes: Processes) -> None:
    member = processes.sleep(preexec_fn=group.attach_self)
    with group.watch(Event.EMPTY) as watch, selectors.DefaultSelector() as selector:
        assert watch.read() == Event(0), "the group is not empty yet"
        assert watch.wait(0.05) == Event(0)
        selector.register(watch, selectors.EVENT_READ)
        member.kill()
        member.wait()
        fired = Event(0)
        deadline = time.monotonic() + 10
        while not fired and time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                fired = watch.read()
        assert fired == Event.EMPTY
    assert watch.closed
    with pytest.raises(ValueError, match="closed"):
        watch.fileno()


def test_a_watch_reports_a_freeze(base: str, processes: Processes) -> None:
    with Cgroup("watched-freeze", ["freezer"]) as cg:
        processes.sleep(preexec_fn=cg.attach_self)
        with cg.watch(Event.FROZEN | Event.EMPTY) as watch:
            assert watch.read() == Event(0)
            cg.freeze()
            fired = watch.wait(10)
            assert fired == Event.FROZEN
            cg.thaw()


def test_a_watch_of_a_removed_group_raises_not_found(base: str) -> None:
    cg = Cgroup("watched-then-deleted", ["cpu"])
    with cg.watch(Event.EMPTY) as watch:
        assert watch.read() == Event.EMPTY, "the first read reports the group already empty"
        cg.delete()
        with pytest.raises(NotFoundError):
            watch.wait(5)
    cg.close()


def test_watches_need_an_event_and_its_controller(base: str) -> None:
    with Cgroup("watch-arguments", ["cpu"]) as cg:
        with pytest.raises(InvalidArgumentError):
            cg.watch(Event(0))
        with pytest.raises(InvalidArgumentError):
            cg.watch(64)  # type: ignore[arg-type]
        with pytest.raises(ControllerUnavailableError):
            cg.watch(Event.OOM)
