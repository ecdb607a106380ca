"""Render the first day of a new data folder, for an advocate and for a coordinator, to PNG.

    python docs/screenshots/first_day.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen. For each of the two, a throwaway data folder,
the window, and the first day's dialog answered as that person would (the advocate gives their
name, role and organisation; the coordinator sees their next steps), each page saved with
``QWidget.grab`` over the window as it stands behind it, then the window's empty list once the
dialog has closed: ``first-day-choice``, ``first-day-about-you``, ``first-day-advocate-list``,
``first-day-next-steps``, ``first-day-coordinator-list`` (``-200``, ``-contrast``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget
from waiting import laptop_application, screenshot_arguments, wait_for


def over(window: QWidget, dialog: QWidget) -> QPixmap:
    """The dialog in the middle of the window, as a person sees it: the window shaded behind,
    the dialog framed (off screen there is no window manager to draw its border)."""
    picture = window.grab()
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 70))
    shown = dialog.grab()
    left = max(0, (picture.width() - shown.width()) // 2)
    top = max(0, (picture.height() - shown.height()) // 2)
    painter.drawPixmap(left, top, shown)
    painter.setPen(QPen(QColor("#555555"), 2))
    painter.drawRect(left - 1, top - 1, shown.width() + 1, shown.height() + 1)
    painter.end()
    return picture


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from storykeeper.core.db import Store
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.first_day import FirstDayDialog
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.paths import resolve_paths

    suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")

    def save(picture: QPixmap, name: str) -> None:
        picture.save(str(args.out / f"{name}{suffix}.png"))

    for person in ("advocate", "coordinator"):
        with tempfile.TemporaryDirectory() as folder:
            paths = resolve_paths(Path(folder) / person)
            paths.ensure()
            store = Store.open(paths)
            context = AppContext(store, paths)
            context.set_text_scale(args.scale)
            context.set_high_contrast(args.contrast)
            window = MainWindow(context)
            window.resize(1280, 800)
            window.show()
            wait_for(lambda w=window: w.list_page.body.currentIndex() == 1)
            dialog = FirstDayDialog(context, window)
            dialog.show()
            wait_for(dialog.isVisible)
            app.processEvents()
            if person == "advocate":
                save(over(window, dialog), "first-day-choice")
                dialog.record.setChecked(True)
                dialog.continue_button.click()
                dialog.your_name.setText("Priya Shah")
                dialog.organisation.setText("Valleys Advocacy")
                app.processEvents()
                save(over(window, dialog), "first-day-about-you")
                dialog.continue_button.click()
            else:
                dialog.receive.setChecked(True)
                dialog.continue_button.click()
                app.processEvents()
                save(over(window, dialog), "first-day-next-steps")
                dialog.continue_button.click()
            wait_for(lambda d=dialog: not d.isVisible())
            window.list_page.empty.refresh()
            app.processEvents()
            save(window.grab(), f"first-day-{person}-list")
            window.close()
            context.shutdown()
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
