# SPDX-License-Identifier: MIT OR Apache-2.0
"""The READMEs' Python examples run as they are, and the original package's quick start too."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from cgroups import Cgroup
from conftest import Processes, group_dirs

HERE = Path(__file__).resolve().parent
READMES = [HERE.parent / "README.md", HERE.parents[2] / "README.md"]


def python_examples(readme: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", readme.read_text(), re.M | re.S)


@pytest.mark.parametrize(
    "example",
    [
        pytest.param(code, id=f"{readme.parent.name}-{number}")
        for readme in READMES
        if readme.exists()
        for number, code in enumerate(python_examples(readme), 1)
    ],
)
def test_readme_example(example: str, base: str) -> None:
    exec(compile(example, "README example", "exec"), {})
    assert group_dirs(base, "charlie", "root") == [], "examples clean up after themselves"


def test_the_original_quick_start_runs_unchanged(base: str, processes: Processes) -> None:
    # The quick start of the original package's README, with `sleep` for the workers.
    cg = Cgroup("charlie")
    cg.set_cpu_limit(50)
    cg.set_memory_limit(500)

    def in_my_cgroup() -> None:
        pid = os.getpid()
        cg = Cgroup("charlie")
        cg.add(pid)

    p1 = processes.sleep(preexec_fn=in_my_cgroup)
    p2 = processes.sleep(preexec_fn=in_my_cgroup)
    p3 = processes.sleep(preexec_fn=in_my_cgroup)

    cg.set_cpu_limit(80)

    other = processes.sleep()
    cg.add(other.pid)

    assert cg.pids() == sorted(p.pid for p in (p1, p2, p3, other))
    assert (round(cg.cpu_limit), cg.memory_limit) == (80, 500)
    cg.delete()
    assert all(p.poll() is None for p in (p1, p2, p3, other))
    assert group_dirs(base, "charlie", "root") == []
