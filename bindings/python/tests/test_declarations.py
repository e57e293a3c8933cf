# SPDX-License-Identifier: MIT OR Apache-2.0
"""The package's declarations of the C library's calls and structs match the installed header
(found through pkg-config): every function of the header is declared, with its number of
arguments, and the structs have the header's fields in its order and types."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cgroups import _native

pytestmark = pytest.mark.skipif(shutil.which("pkg-config") is None, reason="no pkg-config here")

C_TYPES = {"uint32_t": ctypes.c_uint32, "uint64_t": ctypes.c_uint64, "double": ctypes.c_double}


@pytest.fixture(scope="module")
def header() -> str:
    includedir = subprocess.run(
        ["pkg-config", "--variable=includedir", "cgroups"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    text = (Path(includedir) / "cgroups.h").read_text()
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def functions(header: str) -> dict[str, int]:
    """Each function of the header with its number of parameters."""
    found = {}
    for name, parameters in re.findall(r"\b(cgroups_\w+)\(([^)]*)\);", header):
        found[name] = 0 if parameters.strip() in ("", "void") else parameters.count(",") + 1
    return found


def test_every_function_of_the_header_is_declared_with_its_arity(header: str) -> None:
    declared = {
        **{name: len(types) for name, types in _native.STATUS_CALLS.items()},
        **{name: len(types) for name, types in _native.ERRNO_ONLY_CALLS.items()},
        **{name: len(types) for name, (_, types) in _native.PLAIN_CALLS.items()},
    }
    assert declared == functions(header)


@pytest.mark.parametrize(
    "struct, name",
    [(_native.StatsStruct, "cgroups_stats"), (_native.PressureStruct, "cgroups_pressure")],
)
def test_structs_have_the_headers_fields(header: str, struct: type, name: str) -> None:
    body = re.search(rf"typedef struct {name} \{{(.*?)\}} {name};", header, re.S)
    assert body, f"no {name} in the header"
    fields = [(field, C_TYPES[kind]) for kind, field in re.findall(r"(\w+) (\w+);", body.group(1))]
    assert list(struct._fields_) == fields
