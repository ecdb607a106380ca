"""The log file the program sets up holds no error's text: whichever module logs an exception
(``log.exception``, ``exc_info=``), the file gets the kinds and where it happened, so a
message that quoted a story's words, or SQL, never reaches it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from storykeeper.__main__ import QuietFileHandler, setup_logging
from storykeeper.paths import DataPaths


@pytest.fixture
def log_file(paths: DataPaths) -> Iterator[DataPaths]:
    paths.ensure()
    setup_logging(paths)
    yield paths
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_a_logged_exception_keeps_its_kind_and_place_but_not_its_words(
    log_file: DataPaths,
) -> None:
    def save(words: str) -> None:
        raise ValueError(f"could not save “{words}”")

    try:
        save("Her own words about the day centre")
    except ValueError:
        logging.getLogger("storykeeper.somewhere").exception("saving failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.log_file.read_text(encoding="utf-8")
    assert "saving failed" in written
    assert "ValueError" in written and "in save" in written
    assert "Her own words" not in written


def test_the_log_files_are_the_persons_own(log_file: DataPaths) -> None:
    """Readable by nobody else on the computer, rotated files too."""
    logging.getLogger("storykeeper.somewhere").info("started")
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, QuietFileHandler))
    assert log_file.log_file.stat().st_mode & 0o777 == 0o600
    handler.doRollover()
    logging.getLogger("storykeeper.somewhere").info("after rotating")
    rotated = log_file.log_file.with_name(log_file.log_file.name + ".1")
    assert [p.stat().st_mode & 0o777 for p in (log_file.log_file, rotated)] == [0o600, 0o600]
