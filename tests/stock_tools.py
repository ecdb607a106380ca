"""The stock tools some tests run (age, age-keygen, minisign): missing, they fail the test with
what to install, never skip it — a test of interplay with a tool that never runs proves nothing."""

from __future__ import annotations

import shutil

import pytest

INSTALL = "run packaging/linux/install-system-deps --test"


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: {INSTALL}")
