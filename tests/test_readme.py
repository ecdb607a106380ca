"""The README's quick start is what CI runs, so it cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```(?:sh|bash)?\n(.*?)```", readme, re.S)
    assert block, "README.md starts with a Quick start code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_commands() -> None:
    install_and_run, test = _quick_start()
    assert install_and_run.endswith(".venv/bin/storykeeper")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    _, test = _quick_start()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci
