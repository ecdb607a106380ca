"""Starting the window: the QApplication, unlocking the store, the main window, the event loop.

The application comes first, so that unlocking can ask in dialogs (the passphrase, the
recovery key shown once at the first start, the offer to encrypt a plain store) drawn with the
person's own text size and contrast; only then is the store opened and the window built.

Before anything is asked, the start claims the data folder (``gui.single_instance``): a second
start on a folder already open hands its bundles to the first window and ends.

Only ``__main__`` imports this module (a test keeps it so): everything else takes an
``AppContext`` from ``gui.context``.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from storykeeper import APP_ID, APP_NAME, __version__
from storykeeper.core.unlock import UnlockCancelled, open_store
from storykeeper.gui.appearance import apply_appearance
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.unlock import DialogAsker
from storykeeper.gui.file_open import FilesFromTheDesktop
from storykeeper.gui.settings import GuiSettings
from storykeeper.gui.single_instance import SingleInstance, already_open_words, come_forward
from storykeeper.paths import DataPaths

if TYPE_CHECKING:
    from storykeeper.gui.main_window import MainWindow

EXIT_AFTER_FIRST_PAGE_ENV = "STORYKEEPER_EXIT_AFTER_FIRST_PAGE"


def make_application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    # The program's own icon where a package installed it (packaging/), else a theme's.
    app.setWindowIcon(QIcon.fromTheme(APP_ID, QIcon.fromTheme("accessories-text-editor")))
    return app


def open_bundles_when_shown(window: MainWindow, files: list[Path]) -> None:
    """The import with ``files`` on its list, once the window is up: how a bundle someone
    double-clicked reaches the window (``--open-bundle``, the desktop entry's Exec line)."""
    if files:
        QTimer.singleShot(0, lambda: window.show_import(list(files)))


def run_gui(
    paths: DataPaths, *, plain: bool = False, open_bundles: list[Path] | None = None
) -> int:
    app = make_application()
    # macOS's Finder hands a double-clicked bundle over as an event, even at launch: kept
    # from now until the window is up (gui/file_open.py).
    from_the_desktop = FilesFromTheDesktop(app)
    app.installEventFilter(from_the_desktop)
    instance = SingleInstance(paths.data_dir)
    if not instance.claim():
        return _handed_over(instance, open_bundles or [])
    try:
        return _run_window(
            app, instance, from_the_desktop, paths, plain=plain, open_bundles=open_bundles or []
        )
    finally:
        instance.release()
        app.removeEventFilter(from_the_desktop)


def _handed_over(instance: SingleInstance, bundles: list[Path]) -> int:
    """A window is open on this data folder already: it comes forward with ``bundles``."""
    if instance.hand_over(bundles):
        return 0
    words = already_open_words(instance.data_dir)
    print(f"storykeeper: {words}", file=sys.stderr)
    QMessageBox.information(None, APP_NAME, words)
    return 1


def _run_window(
    app: QApplication,
    instance: SingleInstance,
    from_the_desktop: FilesFromTheDesktop,
    paths: DataPaths,
    *,
    plain: bool,
    open_bundles: list[Path],
) -> int:
    from storykeeper.gui.dialogs.unexpected_error import unexpected_errors_shown
    from storykeeper.gui.main_window import MainWindow  # Qt widgets only when a window is wanted

    # A later start while the passphrase is asked: the question comes forward, and the
    # bundles wait for the window.
    asked_early: list[Path] = []

    def keep_for_the_window(bundles: list[Path]) -> None:
        asked_early.extend(bundles)
        question = QApplication.activeModalWidget()
        if question is not None:
            question.raise_()
            question.activateWindow()

    instance.asked.connect(keep_for_the_window)
    # The questions before the window already in the person's text size and contrast: the
    # settings file is beside the database and holds no story.
    settings = GuiSettings(paths.data_dir / "settings.ini")
    apply_appearance(app, settings.text_scale, settings.high_contrast)
    measuring = bool(os.environ.get(EXIT_AFTER_FIRST_PAGE_ENV))
    # A benchmark or start-up test measures the window, with nobody there to answer.
    asker = DialogAsker(paths, unattended=measuring)
    try:
        store = open_store(paths, asker, plain=plain)
    except UnlockCancelled:
        return 1  # the person pressed Quit: nothing more to say, in a dialog or otherwise
    with store:
        context = AppContext(store, paths)
        window = MainWindow(context)
        if measuring:
            # For benchmarks and start-up tests: report when the list shows its first page,
            # then close as a person would (so saves and settings are flushed normally).
            def first_page(total: int, _filtered: bool) -> None:
                print(f"first page shown: {total} stories", flush=True)
                QTimer.singleShot(0, window.close)

            window.list_page.model.loaded.connect(first_page)
        window.show()
        if not measuring and not open_bundles:
            # A new data folder: what will you do here? (Not when opened for a bundle.)
            window.offer_first_day()
        instance.asked.disconnect(keep_for_the_window)
        instance.asked.connect(lambda bundles: come_forward(window, bundles))
        from_the_desktop.deliver_to(lambda bundles: come_forward(window, bundles))
        open_bundles_when_shown(window, open_bundles + asked_early)
        with unexpected_errors_shown(window, paths.log_file):
            code = app.exec()
        context.shutdown()
        # Python's last full garbage collection at exit walked the window's whole heap for
        # about a second after the window had gone (0.5-1.3 s measured, at any store size).
        # Everything that writes is closed by then (the store below, the log by logging's own
        # exit handler, which runs after this one), so the exit skips it.
        atexit.register(gc.freeze)
        return int(code)
