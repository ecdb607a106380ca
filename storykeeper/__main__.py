"""Entry point: arguments → paths → logging → unlock, open and migrate the store → CLI or window.

Whatever goes wrong, a person sees one clear line and an exit status, never a traceback; the
details go to the log file for whoever helps them.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from storykeeper.cli import build_parser
from storykeeper.cli.security import TerminalAsker
from storykeeper.core import faults
from storykeeper.core.bundle.staging import sweep_leftovers
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.restore import finish_interrupted_restore
from storykeeper.core.unlock import open_store
from storykeeper.paths import DataPaths, resolve_paths

log = logging.getLogger("storykeeper")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130


_log_handler: logging.Handler | None = None


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """The log file, which gives up without a word when it cannot be written (a full disk):
    Python's default prints a traceback to stderr for every record that failed, burying the
    one line the person needs under a hundred."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass

    def _open(self) -> TextIO:
        # The log says what happened to whose stories, if not their words: the person's own,
        # like the rest of the data folder, whatever the umask (a rotation opens a new file).
        stream = super()._open()
        with contextlib.suppress(OSError):
            Path(self.baseFilename).chmod(0o600)
        return stream


class ContentFreeFormatter(logging.Formatter):
    """Writes a logged exception as its kinds and frames (``faults.describe``), never its text:
    whichever module logs one, an error's message may quote a story's words or an SQL
    statement, and the log file must hold neither."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached its own full traceback on the record: not ours to write.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:
        error = ei[1] if isinstance(ei, tuple) else None
        return faults.describe(error) if isinstance(error, BaseException) else ""


def setup_logging(paths: DataPaths) -> None:
    """Log to a rotating file in the log folder (replacing any earlier set-up in this process)."""
    global _log_handler
    root = logging.getLogger()
    if _log_handler is not None:
        root.removeHandler(_log_handler)
        _log_handler.close()
    paths.log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    _log_handler = QuietFileHandler(
        paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    _log_handler.setFormatter(
        ContentFreeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(_log_handler)
    root.setLevel(logging.INFO)


def _error(message: str) -> None:
    print(f"storykeeper: error: {message}", file=sys.stderr)


def _has_screen() -> bool:
    """Whether Qt can show a window here. On Linux and the BSDs that needs an X or Wayland
    display, or a platform named outright (QT_QPA_PLATFORM, e.g. offscreen in tests)."""
    if sys.platform in ("win32", "darwin"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _show_startup_error(message: str) -> None:
    """Someone who started the window from a menu never sees stderr: tell them in a dialog."""
    if not _has_screen():
        return  # Qt would abort the process trying to reach one; stderr has the message already
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])
        QMessageBox.critical(None, "Storykeeper cannot start", message)
        del app
    except Exception:  # no display at all: stderr has the message already
        log.exception("could not show the start-up error in a window")


def _remove_export_leftovers(paths: DataPaths) -> None:
    """An export killed earlier left its staged plaintext here and perhaps a partial file where
    it was going: remove them first thing (which also gives back space on a full disk)."""
    try:
        sweep_leftovers(paths.data_dir)
    except OSError as exc:  # tried again at the next start; never a reason not to start
        log.warning("could not remove an interrupted export's files: %s", faults.describe(exc))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = resolve_paths(getattr(args, "data_dir", None))
    try:
        paths.ensure()
        setup_logging(paths)
    except OSError as exc:
        unusable = paths.describe_unusable(exc)
        _error(unusable)
        if args.command is None:
            _show_startup_error(unusable[:1].upper() + unusable[1:])
        return EXIT_FAILURE
    _remove_export_leftovers(paths)
    try:
        # A restore killed half-way is finished before the store opens (core/backups.py); a
        # restore runs with no store open, since the current one may be the damaged one.
        finish_interrupted_restore(paths)
        if not getattr(args, "opens_store", True):
            return int(args.handler(paths, args, sys.stdout))
        plain = bool(getattr(args, "plain_store", False))
        if args.command is None:
            from storykeeper.gui.run import run_gui  # Qt is loaded only for the window

            # The window unlocks the store itself: its questions are dialogs.
            return run_gui(paths, plain=plain, open_bundles=args.open_bundle or [])
        # The keyring, a script's passphrase, or the terminal (core/unlock.py, cli/security.py).
        with open_store(paths, TerminalAsker(), plain=plain) as store:
            return int(args.handler(store, args, sys.stdout))
    except StorykeeperError as exc:
        # The kind only: a message may name a story or a file, which a log must never hold.
        log.warning("refused: %s", type(exc).__name__)
        _error(exc.message)
        if args.command is None:
            _show_startup_error(exc.message)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _error("interrupted; nothing half-done was kept")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`storykeeper list | head`): not an error worth a message.
        # Point stdout at nothing so the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        # Never the error's text: SQLAlchemy's holds the statement, and an error's message may
        # quote a story. The log has its kinds and where it happened; the person, one line.
        full = faults.disk_full(exc, paths.data_dir)
        if full is not None:
            log.warning("refused, the disk is full: %s", faults.describe(exc))
            _error(full.message)
        else:
            log.error("unexpected error: %s", faults.describe(exc))
            _error(
                f"something unexpected went wrong ({type(exc).__name__}). Details are in "
                f"{paths.log_file}."
            )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
