"""Render, for every basis of a consent decision, the story page's consent box and the first
page of the copy the person keeps, as a person would see them (issue 17: each basis reads
truthfully).

    python docs/screenshots/consent_basis.py OUT [--scale N] [--contrast]

Writes ``consent-basis-<basis>-page[-200][-contrast].png`` (the story's Consent box) and
``consent-basis-<basis>-copy[-200].png`` (the printed copy's first page, rendered from the real
PDF; at --scale 200 at twice the resolution).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from PySide6.QtCore import QSize
from waiting import laptop_application, screenshot_arguments, wait_for

# A5-ish at 100%: the copy is paper, so only its resolution follows --scale.
COPY_PIXELS = QSize(620, 877)


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from PySide6.QtPdf import QPdfDocument

    from storykeeper.core import consent
    from storykeeper.core.consent_copy import consent_copy_html
    from storykeeper.core.db import Store
    from storykeeper.core.easy_read import load_consent_text
    from storykeeper.core.vocabulary import ConsentBasis
    from storykeeper.gui.consent_pdf import write_consent_pdf
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.paths import resolve_paths
    from tests.factories import given, make_story
    from tests.mca_records import best_interests, has_capacity, lacks_capacity

    on = dt.date(2026, 11, 3)
    decisions = {
        "own": given(decided_by="Mair Pritchard", decided_on=on),
        "supported": given(
            basis=ConsentBasis.SUPPORTED_DECISION,
            decided_by="Mair Pritchard",
            capacity=has_capacity(),
            advocate_name="Sian Hughes",
            decided_on=on,
        ),
        "attorney": given(
            basis=ConsentBasis.LASTING_POWER_OF_ATTORNEY,
            decided_by="Ann Crisp",
            capacity=lacks_capacity(),
            representative_reference="7000-1234-5678",
            decided_on=on,
        ),
        "deputy": given(
            basis=ConsentBasis.DEPUTY,
            decided_by="Ray Finch",
            representative_reference="COP 1234567",
            decided_on=on,
        ),
        "best-interests": given(
            basis=ConsentBasis.BEST_INTERESTS,
            decided_by="Priya Shah",
            capacity=lacks_capacity(),
            best_interests=best_interests(),
            advocate_name="Sam Okafor (IMCA)",
            decided_on=on,
        ),
    }
    suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")
    text = load_consent_text()
    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(folder)
        paths.ensure()
        store = Store.open(paths)
        context = AppContext(store, paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        window = MainWindow(context)
        window.resize(min(1280, 10 * args.scale), min(800, 7 * args.scale))
        window.show()
        for name, decision in decisions.items():
            story = make_story(store, teller="Mair Pritchard", title="Tea on Thursdays")
            with store.write(actor="docs") as session:
                record = consent.record_consent(session, story.id, decision)
            window.open_story(story.id)
            wait_for(
                lambda s=story.id: window.editor.story is not None and window.editor.story.id == s
            )
            wait_for(lambda: window.editor.consent_summary.text().startswith("Given on"))
            box = window.editor.consent_box
            app.processEvents()
            box.grab().save(str(args.out / f"consent-basis-{name}-page{suffix}.png"))
            if args.contrast:
                continue  # the paper copy has no high-contrast form
            pdf = Path(folder) / f"{name}.pdf"
            html = consent_copy_html(text, record, "Mair Pritchard", "Tea on Thursdays")
            write_consent_pdf(html, pdf, "copy")
            document = QPdfDocument()
            document.load(str(pdf))
            size = COPY_PIXELS * (2 if args.scale >= 200 else 1)
            image = document.render(0, size)
            image.save(str(args.out / f"consent-basis-{name}-copy{suffix}.png"))
            if document.pageCount() > 1:
                document.render(1, size).save(
                    str(args.out / f"consent-basis-{name}-copy-2{suffix}.png")
                )
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
