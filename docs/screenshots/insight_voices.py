"""Render the insight page's voices and its "Save report…" dialog to PNG.

    python docs/screenshots/insight_voices.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen, over 400 demo stories in a throwaway data
folder: the page with the first cell's voices beside the chart (``insight-voices*.png``), then
the dialog opened by Ctrl+Shift+S (``save-report*.png``), saved with ``QWidget.grab``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from waiting import laptop_application, screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from storykeeper.core import demo
    from storykeeper.core.db import Store
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.save_report import SaveReportDialog
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.paths import resolve_paths

    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(Path(folder) / "data")
        paths.ensure()
        store = Store.open(paths)
        demo.generate(store, stories=400, seed=7)
        context = AppContext(store, paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        suffix = ("-200" if args.scale >= 200 else "-100") + ("-contrast" if args.contrast else "")
        window = MainWindow(context)
        window.resize(1280, 800)
        window.show()
        page = window.insight_page
        shown: list[bool] = []
        page.voices.shown.connect(lambda: shown.append(True))
        window.show_insight()
        wait_for(lambda: bool(shown) and not context.tasks.busy)
        app.processEvents()
        window.grab().save(str(args.out / f"insight-voices{suffix}.png"))
        page.save_report()
        wait_for(lambda: page.findChild(SaveReportDialog) is not None)
        dialog = page.findChild(SaveReportDialog)
        dialog.path.setText(str(Path.home() / "Documents" / "stories-2026-12-07.pdf"))
        wait_for(dialog.isVisible)
        app.processEvents()
        dialog.grab().save(str(args.out / f"save-report{suffix}.png"))
        dialog.close()
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
