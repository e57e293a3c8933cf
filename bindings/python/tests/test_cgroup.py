# SPDX-License-Identifier: MIT OR Apache-2.0
"""The Cgroup and Context classes on the real kernel (root)."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import cgroups
from cgroups import (
    BusyError,
    Cgroup,
    CgroupsError,
    Context,
    ControllerUnavailableError,
    InvalidArgumentError,
    NoSuchProcessError,
    NoSuchUserError,
    NotFoundError,
    NotMountedError,
    Status,
    UnsupportedError,
)
from conftest import Processes, group_dirs, is_pure_v2, loaded_library


def test_a_group_lives_in_the_users_subtree_of_each_hierarchy_asked_for(base: str) -> None:
    cg = Cgroup("created", ["cpu", "memory"])
    try:
        assert (cg.name, cg.hierarchies, cg.user) == ("created", ["cpu", "memory"], "root")
        dirs = group_dirs(base, "created", "root")
        assert dirs, "no directory was made"
        if not is_pure_v2(base):
            # v1: one directory in cpu's, one in memory's, and one in cpuacct's where it is a
            # hierarchy apart from cpu's (for CPU usage)
            companion = os.path.isdir(os.path.join(base, "cpuacct"))
            assert len(dirs) == 2 + companion, dirs
    finally:
        cg.delete()


def test_cpu_limit_is_a_share_in_percent_and_no_argument_resets_it(group: Cgroup) -> None:
    assert group.cpu_limit == 100.0
    group.set_cpu_limit(50)
    assert group.cpu_limit == 50.0
    # v1 stores 1/1024ths of the default, v2 whole percents: what reads back is that step.
    group.set_cpu_limit(12.5)
    assert group.cpu_limit == pytest.approx(12.5, abs=0.5)
    group.set_cpu_limit()
    assert group.cpu_limit == 100.0


def test_a_cpu_limit_out_of_range_raises_the_librarys_sentence(group: Cgroup) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        group.set_cpu_limit(0)
    err = caught.value
    assert isinstance(err, ValueError)
    assert (err.status, err.errno) == (Status.INVALID_ARGUMENT, 0)
    assert str(err) == err.message
    assert err.message.startswith("invalid argument: ")
    assert err.message.count("invalid argument") == 1, "the category is not repeated"
    assert group.cpu_limit == 100.0


def test_memory_limit_reads_in_megabytes_and_none_when_unlimited(group: Cgroup) -> None:
    assert (group.memory_limit, group.memory_limit_bytes) == (None, None)
    group.set_memory_limit(500)
    assert (group.memory_limit, group.memory_limit_bytes) == (500, 500 << 20)
    group.set_memory_limit(2, "gigabytes")
    assert group.memory_limit == 2048
    group.set_memory_limit(1536, unit="kilobytes")
    assert (group.memory_limit, group.memory_limit_bytes) == (1, 1536 << 10)
    group.set_memory_limit(64 << 20, "bytes")
    assert group.memory_limit == 64
    group.set_memory_limit()
    assert group.memory_limit is None


@pytest.mark.parametrize(
    "limit, unit, error",
    [
        (0, "megabytes", InvalidArgumentError),
        (-1, "megabytes", InvalidArgumentError),
        (1 << 64, "bytes", InvalidArgumentError),
        (1 << 63, "gigabytes", InvalidArgumentError),
        (10, "pages", InvalidArgumentError),
        (1.5, "megabytes", TypeError),
        ("charlie", "megabytes", TypeError),
    ],
)
def test_bad_memory_limits_raise_and_change_nothing(
    base: str, limit: object, unit: str, error: type
) -> None:
    with Cgroup("bad-memory-limits", ["memory"]) as cg:
        cg.set_memory_limit(100)
        with pytest.raises(error):
            cg.set_memory_limit(limit, unit)  # type: ignore[arg-type]
        assert cg.memory_limit == 100


def test_add_remove_and_pids(group: Cgroup, processes: Processes) -> None:
    first, second = processes.sleep(), processes.sleep()
    assert group.pids() == []
    group.add(first.pid)
    group.add(first.pid)
    group.add(second.pid)
    assert group.pids() == sorted([first.pid, second.pid])
    group.remove(second.pid)
    group.remove(second.pid)
    assert group.pids() == [first.pid]


def test_a_child_joins_before_exec_with_attach_self(group: Cgroup, processes: Processes) -> None:
    child = processes.sleep(preexec_fn=group.attach_self)
    assert group.pids() == [child.pid]


def test_a_dead_process_raises_no_such_process(group: Cgroup, processes: Processes) -> None:
    gone = processes.sleep()
    gone.kill()
    gone.wait()
    with pytest.raises(NoSuchProcessError) as caught:
        group.add(gone.pid)
    assert isinstance(caught.value, ProcessLookupError)
    assert caught.value.errno == errno.ESRCH
    assert str(gone.pid) in str(caught.value)


@pytest.mark.parametrize(
    "pid, error",
    [
        (0, InvalidArgumentError),
        (1 << 40, InvalidArgumentError),
        (True, TypeError),
        ("1", TypeError),
    ],
)
def test_pids_that_are_no_process_ids_are_refused(group: Cgroup, pid: object, error: type) -> None:
    with pytest.raises(error):
        group.add(pid)  # type: ignore[arg-type]


def test_a_group_without_a_hierarchy_says_so(base: str) -> None:
    with Cgroup("cpu-only", ["cpu"]) as cg:
        with pytest.raises(ControllerUnavailableError) as caught:
            _ = cg.memory_limit
        assert caught.value.status == Status.CONTROLLER_UNAVAILABLE
        # Loading an existing group uses the hierarchies where it exists (on v2 one directory
        # serves every controller).
        again = Cgroup("cpu-only")
        if not is_pure_v2(base):
            with pytest.raises(ControllerUnavailableError):
                again.set_memory_limit(100)
        again.set_cpu_limit(30)
        again.close()
        assert cg.cpu_limit == pytest.approx(30, abs=0.1)


def test_hierarchies_may_be_one_name_or_any_iterable(base: str) -> None:
    with Cgroup("from-generator", (h for h in ["cpu", "memory"])) as cg:
        assert cg.hierarchies == ["cpu", "memory"]
    with Cgroup("memory-only", "memory") as cg:
        assert cg.hierarchies == "memory"
        cg.set_memory_limit(10)
        with pytest.raises(ControllerUnavailableError):
            cg.set_cpu_limit(10)


@pytest.mark.parametrize("hierarchies", [["cpu", "bogus"], ["all"], [], "cpuacct", [1]])
def test_unknown_hierarchies_raise_before_anything_is_made(base: str, hierarchies: object) -> None:
    with pytest.raises(InvalidArgumentError):
        Cgroup("never", hierarchies)  # type: ignore[arg-type]
    assert group_dirs(base, "never", "root") == []


def test_delete_moves_members_back_and_kills_nobody(base: str, processes: Processes) -> None:
    cg = Cgroup("deleted")
    member = processes.sleep(preexec_fn=cg.attach_self)
    cg.delete()
    assert member.poll() is None, "delete must not kill"
    assert group_dirs(base, "deleted", "root") == []
    with pytest.raises(NotFoundError) as caught:
        cg.pids()
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(NotFoundError):
        cg.delete()


def test_delete_refuses_a_group_with_child_groups(base: str) -> None:
    parent = Cgroup("parent", ["cpu"])
    child = Cgroup("parent/child", ["cpu"])
    with pytest.raises(BusyError):
        parent.delete()
    child.delete()
    parent.delete()
    assert group_dirs(base, "parent", "root") == []


def test_a_with_block_deletes_the_group_and_frees_the_handle(
    base: str, processes: Processes
) -> None:
    with Cgroup("scoped") as cg:
        member = processes.sleep()
        cg.add(member.pid)
        assert group_dirs(base, "scoped", "root")
    assert cg.closed
    assert group_dirs(base, "scoped", "root") == []
    assert member.poll() is None
    with pytest.raises(ValueError, match="closed"):
        cg.pids()


def test_a_with_block_deletes_when_the_block_raises_or_deleted_already(base: str) -> None:
    with pytest.raises(RuntimeError):
        with Cgroup("failing"):
            raise RuntimeError("the job failed")
    assert group_dirs(base, "failing", "root") == []
    with Cgroup("deleted-inside") as cg:
        cg.delete()
    assert cg.closed


def test_names_the_library_refuses_raise_with_its_message(base: str) -> None:
    for name in ["..", "a/../b", "cpu.heavy", ""]:
        with pytest.raises(InvalidArgumentError) as caught:
            Cgroup(name)
        assert caught.value.message.startswith("invalid argument: "), caught.value.message
    with pytest.raises(InvalidArgumentError, match="NUL"):
        Cgroup("a\0b")
    assert group_dirs(base, "a", "root") == []


def test_base_cgroups_is_honoured_and_an_explicit_base_wins(
    base: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cgroups, "BASE_CGROUPS", str(tmp_path))
    with pytest.raises(NotMountedError):
        Cgroup("elsewhere")
    with Cgroup("elsewhere", base=base):
        assert group_dirs(base, "elsewhere", "root")


def test_a_context_opens_groups_that_outlive_it(base: str) -> None:
    with Context() as context:
        assert context.user == "root"
        cg = context.open("via-context", ["cpu"])
        assert (cg.user, cg.hierarchies) == ("root", ["cpu"])
    assert context.closed
    with pytest.raises(ValueError, match="closed"):
        context.open("too-late")
    cg.set_cpu_limit(20)
    assert cg.cpu_limit == pytest.approx(20, abs=0.1)
    assert group_dirs(base, "via-context", "root")
    cg.delete()


def test_a_context_of_an_unknown_user_raises_no_such_user(base: str) -> None:
    with pytest.raises(NoSuchUserError) as caught:
        Context(user="no-such-user-cgroups-rs")
    assert isinstance(caught.value, LookupError)
    assert caught.value.status == Status.NO_SUCH_USER


def test_own_cgroup_makes_groups_below_the_callers_cgroup(base: str) -> None:
    service = Cgroup("service")
    script = textwrap.dedent(
        """
        import sys
        from cgroups import Context
        with Context.own_cgroup(sys.argv[1]) as context:
            assert context.user is None
            job = context.open("job", ["cpu"])
        job.set_cpu_limit(40)
        print(round(job.cpu_limit))
        job.delete()
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, base],
            preexec_fn=service.attach_self,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "40"
    finally:
        # On v2 the library leaves its leaf for the service's processes, "cgroups.user",
        # behind, and delete refuses a group with a child group.
        leaf = os.path.join(base, "root", "service", "cgroups.user")
        if is_pure_v2(base) and os.path.isdir(leaf):
            os.rmdir(leaf)
        service.delete()


def test_closed_handles_raise_value_error(base: str) -> None:
    cg = Cgroup("closed-early", ["cpu"])
    cg.close()
    cg.close()
    assert cg.closed and "closed" in repr(cg)
    with pytest.raises(ValueError, match="closed"):
        cg.set_cpu_limit(10)
    with Cgroup("closed-early") as cleanup:
        cleanup.delete()


def test_unknown_statuses_still_raise_a_cgroups_error() -> None:
    from cgroups.errors import error_for

    err = error_for(9999, "something new: details", 5)
    assert type(err) is CgroupsError
    assert (err.status, err.errno, str(err)) == (9999, 5, "something new: details")


def test_the_library_version_is_major_minor_patch() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", cgroups.library_version())


@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="no pkg-config here")
def test_the_library_is_found_through_pkg_configs_libdir(tmp_path: Path) -> None:
    (tmp_path / "cgroups.pc").write_text(
        f"libdir={os.path.dirname(loaded_library())}\n"
        "Name: cgroups\nDescription: test\nVersion: 0.1.0\nLibs: -L${libdir} -lcgroups\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "CGROUPS_LIBRARY")}
    env["PKG_CONFIG_PATH"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", "import cgroups; print(cgroups.library_version())"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout.strip()) == (0, cgroups.library_version()), done.stderr


def test_a_missing_library_is_a_clear_import_error(tmp_path: Path) -> None:
    env = dict(os.environ, CGROUPS_LIBRARY=os.path.join(str(tmp_path), "libcgroups.so.0"))
    done = subprocess.run(
        [sys.executable, "-c", "import cgroups; cgroups.library_version()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "LibraryNotFoundError: cannot load the libcgroups C library" in done.stderr
    assert "CGROUPS_LIBRARY" in done.stderr


def systemd_is_pid_1() -> bool:
    return os.path.isdir("/run/systemd/system")


@pytest.mark.parametrize(
    "arguments",
    [
        {"unit": "no-suffix"},
        {"unit": "a/b.scope"},
        {"slice": "not-a-slice"},
        {"pid": -1},
        {"manager": "session"},
    ],
)
def test_a_scope_context_checks_its_arguments_before_asking_systemd(arguments: dict) -> None:
    with pytest.raises(InvalidArgumentError):
        Context.scope(**arguments)


def test_a_scope_context_needs_systemd_as_pid_1(processes: Processes) -> None:
    member = processes.sleep()
    with open(f"/proc/{member.pid}/cgroup") as before:
        cgroups_before = before.read()
    if not systemd_is_pid_1():
        with pytest.raises(UnsupportedError, match="systemd"):
            Context.scope(pid=member.pid)
        with open(f"/proc/{member.pid}/cgroup") as after:
            assert after.read() == cgroups_before, "nothing is moved"
        return
    with Context.scope(pid=member.pid, manager="system") as context:
        assert context.user is None
        with context.open("job", ["cpu"]) as job:
            job.add(member.pid)
            assert job.pids() == [member.pid]
