"""Render the insight page ("What people are telling us") to PNG.

    python docs/screenshots/insight_page.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen, over 400 demo stories in a throwaway data
folder: the window opened on the page with View > What people are telling us, the chart's
first cell highlighted and its theme over time beside it, saved with ``QWidget.grab``:
``insight-page*.png``.
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
        counted: list[bool] = []
        page.counted.connect(lambda: counted.append(True))
        window.show_insight()
        wait_for(lambda: bool(counted) and not context.tasks.busy)
        app.processEvents()
        window.grab().save(str(args.out / f"insight-page{suffix}.png"))
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
