"""Render the import dialog (with a report shown) and the sender check to PNG.

    python docs/screenshots/import_dialog.py OUT [--scale N] [--contrast]

Drawn off screen on a pretend 1280×800 screen (the small laptop the window is made to fit), so
the dialogs take the size they would take there.

Builds two throwaway data folders — an advocate's, with demo stories, and a coordinator's —
exports real bundles from one to the other (and one from an advocate the coordinator does not
know yet, and one damaged file), imports them in the real dialog and saves it with
``QWidget.grab``: ``import-dialog*.png`` and ``import-trust*.png``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QAbstractItemView
from waiting import laptop_application, screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from storykeeper.core import demo, search, stories, trust
    from storykeeper.core.bundle.writer import Selection
    from storykeeper.core.db import Store
    from storykeeper.core.keys import KeyStore
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.check_sender import CheckSenderDialog
    from storykeeper.gui.dialogs.import_bundles import ImportDialog
    from storykeeper.paths import resolve_paths
    from tests import exchange

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        coordinator_paths = resolve_paths(root / "coordinator")
        coordinator_paths.ensure()
        coordinator = Store.open(coordinator_paths)
        bundles = root / "usb stick"

        def export(advocate: Store, selection: Selection) -> Path:
            return exchange.export(advocate, coordinator, bundles, selection)

        priya = Store.open(resolve_paths(root / "priya"))
        demo.generate(priya, stories=40, seed=11)
        first = export(priya, Selection.ALL)
        with priya.read() as session:
            newest = search.search_stories(session, search.StoryFilter(), limit=1).items[0]
            story = stories.get_story(session, newest.id)
        with priya.write(actor="docs") as session:
            stories.update_story(
                session,
                story.id,
                dataclasses.replace(
                    story.fields, own_words=story.own_words + " And now on Saturdays too."
                ),
            )
        second = export(priya, Selection.SINCE_LAST)
        with coordinator.write(actor="docs") as session:
            trust.add_signer(
                session,
                KeyStore(priya.paths.data_dir).ensure().signing.public_key,
                "Priya Shah (north team)",
            )
        damaged = bundles / "from-the-email.zip.age"
        damaged.write_bytes(first.read_bytes()[:4000])
        dafydd = Store.open(resolve_paths(root / "dafydd"))
        demo.generate(dafydd, stories=6, seed=12)
        unknown = export(dafydd, Selection.ALL)

        context = AppContext(coordinator, coordinator_paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")

        dialog = ImportDialog(context, files=[first, second, damaged, unknown])
        dialog.show()
        dialog.import_button.click()
        wait_for(lambda: not dialog.run.running and dialog.files[-1].report is not None)
        dialog.file_list.setCurrentRow(0)
        dialog.file_list.setFocus()
        app.processEvents()
        # Past most of the withdrawals listed first, to the stories that came in.
        report = dialog.files[0].report
        assert report is not None
        withdrawn = sum(1 for line in report.stories if line.action.value == "withdrawn")
        dialog.table.scrollTo(
            dialog.lines.index(max(0, withdrawn - 1), 0), QAbstractItemView.ScrollHint.PositionAtTop
        )
        app.processEvents()
        dialog.grab().save(str(args.out / f"import-dialog{suffix}.png"))

        dialog.file_list.setCurrentRow(3)
        report = dialog.files[3].report
        assert report is not None and report.untrusted_public_key is not None
        check = CheckSenderDialog(context, report, parent=dialog)
        check.label.setText("Dafydd Hughes (west team)")
        check.compared.setChecked(True)
        check.show()
        app.processEvents()
        check.label.deselect()
        app.processEvents()
        check.grab().save(str(args.out / f"import-trust{suffix}.png"))
        check.reject()
        dialog.reject()
        context.shutdown()
        for store in (coordinator, priya, dafydd):
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
