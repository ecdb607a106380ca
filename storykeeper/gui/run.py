"""Starting the window: the QApplication, the main window, and the event loop.

Only ``__main__`` imports this module (a test keeps it so): everything else takes an
``AppContext`` from ``gui.context``.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from storykeeper import APP_ID, APP_NAME, __version__
from storykeeper.core.db import Store
from storykeeper.gui.context import AppContext
from storykeeper.paths import DataPaths

EXIT_AFTER_FIRST_PAGE_ENV = "STORYKEEPER_EXIT_AFTER_FIRST_PAGE"


def run_gui(store: Store, paths: DataPaths) -> int:
    from storykeeper.gui.main_window import MainWindow  # Qt widgets only when a window is wanted

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon.fromTheme("accessories-text-editor"))
    context = AppContext(store, paths)
    window = MainWindow(context)
    if os.environ.get(EXIT_AFTER_FIRST_PAGE_ENV):
        # For benchmarks and start-up tests: report when the list shows its first page, then
        # close as a person would (so saves and settings are flushed normally).
        def first_page(total: int, _filtered: bool) -> None:
            print(f"first page shown: {total} stories", flush=True)
            QTimer.singleShot(0, window.close)

        window.list_page.model.loaded.connect(first_page)
    window.show()
    code = app.exec()
    context.shutdown()
    return int(code)
