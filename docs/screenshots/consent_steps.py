"""Render every step of the consent flow to PNG, as a person would see it.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/consent_steps.py OUT [--scale N] [--contrast]

Builds a throwaway data folder with one story, opens the real dialog on it, walks it step by step
(answering as a person might) and saves each step with ``QWidget.grab``.
"""

from __future__ import annotations

import sys
import tempfile

from PySide6.QtWidgets import QApplication
from waiting import screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = QApplication(sys.argv[:1])

    from storykeeper.core import consent, people, stories
    from storykeeper.core.db import Store
    from storykeeper.core.vocabulary import ConsentBasis, ConsentMethod, ConsentScope, SupporterRole
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
    from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.gui.ops.consent import load_flow_data
    from storykeeper.paths import resolve_paths

    with tempfile.TemporaryDirectory() as folder:
        paths = resolve_paths(folder)
        paths.ensure()
        store = Store.open(paths)
        with store.write(actor="docs") as session:
            teller = people.create_storyteller(session, "Mair Pritchard")
            people.create_supporter(session, "Dafydd Hughes", SupporterRole.INDEPENDENT_ADVOCATE)
            story = stories.create_story(
                session,
                stories.StoryFields(
                    storyteller_id=teller.id,
                    title="Tea on Thursdays",
                    own_words="We have tea on Thursdays and talk about the mill.",
                ),
            )
        context = AppContext(store, paths)
        context.set_text_scale(args.scale)
        context.set_high_contrast(args.contrast)
        with store.read() as session:
            data = load_flow_data(session, story.id, paths.data_dir)
        dialog = ConsentFlowDialog(context, data)
        dialog.resize(min(1280, 9 * args.scale), min(800, int(7.6 * args.scale)))
        dialog.show()
        suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")
        answers = {
            "scope:record_audio": 1,
            "scope:share_with_coordinator": 1,
            "scope:anonymised_in_reports": 1,
            "scope:quote_anonymised": 1,
            "scope:publish_with_name": 0,
            "scope:share_media": 0,
        }
        n = 0
        while True:
            step = dialog.current_step()
            if step.key in answers:
                scope = step.key.split(":", 1)[1]
                for s, group in dialog.answers.items():
                    if s.value == scope:
                        group.button(answers[step.key]).setChecked(True)
            if step.key == "basis":
                dialog.basis_group.button(2).setChecked(True)
            if step.key == "how":
                dialog.persons_words.setPlainText("“Yes, tell them about the bus. Not my name.”")
            app.processEvents()
            n += 1
            dialog.grab().save(
                str(args.out / f"consent-{n:02d}-{step.key.replace(':', '-')}{suffix}.png")
            )
            if step.key == "check":
                break
            dialog.go_next()
        dialog.go_next()  # Save
        wait_for(lambda: dialog.result_record is not None)
        dialog.grab().save(str(args.out / f"consent-{n + 1:02d}-done{suffix}.png"))
        dialog.done(0)

        # Taking back part of it: the withdrawal dialog, as the advocate fills it in.
        with store.read() as session:
            current = consent.current_consent(session, story.id)
        assert current is not None
        withdrawal = WithdrawalDialog(context, story.id, "Mair Pritchard", current)
        withdrawal.some.setChecked(True)
        withdrawal.scope_boxes[ConsentScope.QUOTE_ANONYMISED].setChecked(True)
        withdrawal.reason.setPlainText("“I don’t want my words in the newsletter after all.”")
        withdrawal.show()
        app.processEvents()
        withdrawal.grab().save(str(args.out / f"consent-withdraw{suffix}.png"))
        withdrawal.close()

        # A fully withdrawn story in the editor: the content hidden, the purge offered.
        with store.write(actor="docs") as session:
            consent.withdraw(
                session,
                story.id,
                consent.Withdrawal(
                    "Mair Pritchard", ConsentBasis.OWN_CONSENT, ConsentMethod.VERBAL
                ),
            )
        window = MainWindow(context)
        window.resize(min(1280, 10 * args.scale), min(800, 7 * args.scale))
        window.show()
        window.open_story(story.id)
        wait_for(lambda: window.editor.story is not None)
        app.processEvents()
        window.grab().save(str(args.out / f"consent-withdrawn-story{suffix}.png"))
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
