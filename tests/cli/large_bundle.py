"""A large bundle between two data folders, made with the command line as people make one: for
the tests that kill an import part-way, which need one that takes a while."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from storykeeper.__main__ import main


def _quiet(*args: str) -> str:
    """Run a command, returning what it printed (the tests' capsys keeps it from the output)."""
    import contextlib
    import io

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(list(args))
    assert code == 0, f"storykeeper {' '.join(args)} exited {code}"
    return printed.getvalue()


@dataclass(frozen=True)
class LargeBundle:
    coordinator: Path  # the coordinator's data folder, which trusts the advocate
    path: str
    stories: int  # how many of the demo stories consent let leave


def large_bundle(tmp_path: Path, *, stories: int = 3000, plain: bool = False) -> LargeBundle:
    """An advocate's bundle of ``stories`` demo stories for a coordinator who trusts them."""
    advocate, coordinator = tmp_path / "advocate", tmp_path / "coordinator"
    out = tmp_path / "out"
    out.mkdir()
    _quiet("--data-dir", str(advocate), "demo-data", "--stories", str(stories), "--seed", "7")
    _quiet("--data-dir", str(advocate), "keys", "export-public", str(tmp_path / "a.pub"))
    _quiet("--data-dir", str(coordinator), "trust", "add", str(tmp_path / "a.pub"), "--label", "A")
    to: tuple[str, ...] = ("--plain",)
    if not plain:
        shown = _quiet("--data-dir", str(coordinator), "keys", "show", "--json")
        to = ("--to", json.loads(shown)["age_recipient"])
    said = _quiet("--data-dir", str(advocate), "export", "--out", str(out), *to, "--json")
    exported = json.loads(said)
    return LargeBundle(coordinator, exported["path"], len(exported["stories"]))
