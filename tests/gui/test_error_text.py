"""The window says an error in one plain line, never the error's own text."""

from __future__ import annotations

import ast
import errno
import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

import storykeeper.gui
from storykeeper.core.errors import ValidationError
from storykeeper.gui.error_text import plain_error
from storykeeper.paths import DataPaths

WORDS = "Mam kept the letters from the war in a biscuit tin"


def sql_error(message: str) -> OperationalError:
    statement = "UPDATE stories SET own_words=? WHERE stories.uuid = ?"
    return OperationalError(statement, (WORDS, "1dc8c582"), sqlite3.OperationalError(message))


def test_an_unexpected_error_is_named_by_its_kind_never_by_its_text(
    paths: DataPaths, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        said = plain_error(sql_error("no such column: own_words"), paths)
    assert said == (
        "Something unexpected went wrong (OperationalError). Nothing was changed. Details are "
        f"in {paths.log_file}."
    )
    for shown in (said, caplog.text):
        assert "UPDATE" not in shown and "Mam kept" not in shown and "no such column" not in shown
    assert "OperationalError" in caplog.text  # the log says what kind it was


def test_a_full_disk_is_said_as_such_however_it_arrives(paths: DataPaths) -> None:
    for error in (
        sql_error("database or disk is full"),
        OSError(errno.ENOSPC, "No space left on device", str(paths.data_dir / "media" / "x")),
    ):
        said = plain_error(error, paths)
        assert said.startswith(f"The disk holding {paths.data_dir} is full"), said
        assert "UPDATE" not in said and "Mam kept" not in said


def test_a_storykeeper_error_is_shown_as_written(paths: DataPaths) -> None:
    assert plain_error(ValidationError("Give the story a title."), paths) == (
        "Give the story a title."
    )


def test_no_window_module_puts_an_errors_own_text_on_screen() -> None:
    """``{error}`` or ``str(error)`` of an exception anywhere but gui/error_text.py."""
    gui = Path(storykeeper.gui.__file__).parent
    offenders = []
    for path in gui.rglob("*.py"):
        if path.name == "error_text.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            shown = None
            if isinstance(node, ast.FormattedValue):
                shown = node.value
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "str"
                and node.args
            ):
                shown = node.args[0]
            if isinstance(shown, ast.Name) and shown.id in ("error", "exc", "exception"):
                offenders.append(f"{path.relative_to(gui)}:{node.lineno}")
    assert offenders == []
