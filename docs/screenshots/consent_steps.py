"""Render every step of the consent flow, and of taking consent back, to PNG, as a person
would see them.

    python docs/screenshots/consent_steps.py OUT [--scale N] [--contrast]

Builds a throwaway data folder with one story, opens the real dialogs on it, walks them step by
step (answering as a person might) and saves each step with ``QWidget.grab``:

- ``consent-NN-<step>``: the flow in order, for a supported decision (who decides comes first);
- ``consent-who-decides-attorney``, ``consent-capacity``, ``consent-best-interests``: the
  Mental Capacity Act steps, filled in;
- ``consent-check-<basis>``: "Is this right?" for each basis, saying truthfully who decided;
- ``consent-withdraw-N-<step>``: taking some of it back, step by step.
"""

from __future__ import annotations

import datetime as dt
import tempfile

from waiting import laptop_application, screenshot_arguments, wait_for


def main() -> int:
    args = screenshot_arguments()
    app = laptop_application()

    from storykeeper.core import consent, people, stories
    from storykeeper.core.db import Store
    from storykeeper.core.vocabulary import (
        ConsentBasis,
        ConsentMethod,
        ConsentScope,
        PracticableStep,
        SupporterRole,
    )
    from storykeeper.gui.context import AppContext
    from storykeeper.gui.dialogs.consent_flow import ConsentFlowDialog
    from storykeeper.gui.dialogs.withdrawal import WithdrawalDialog
    from storykeeper.gui.main_window import MainWindow
    from storykeeper.gui.ops.consent import load_flow_data
    from storykeeper.paths import resolve_paths

    suffix = ("-200" if args.scale >= 200 else "") + ("-contrast" if args.contrast else "")

    def save(widget: object, name: str) -> None:
        app.processEvents()
        widget.grab().save(str(args.out / f"{name}{suffix}.png"))  # type: ignore[attr-defined]

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

        def flow() -> ConsentFlowDialog:
            with store.read() as session:
                data = load_flow_data(session, story.id, paths.data_dir)
            dialog = ConsentFlowDialog(context, data)
            dialog.show()
            return dialog

        def answer_all(dialog: ConsentFlowDialog) -> None:
            for scope, group in dialog.answers.items():
                agreed = scope not in (ConsentScope.PUBLISH_WITH_NAME, ConsentScope.SHARE_MEDIA)
                group.button(1 if agreed else 0).setChecked(True)

        def fill_capacity(dialog: ConsentFlowDialog, lacks: bool) -> None:
            form = dialog.capacity
            form.decision.setText("Sharing her story with the coordinator")
            form.assessed_by.setText("Dafydd Hughes")
            form.steps[PracticableStep.OTHER_FORM].setChecked(True)
            form.steps[PracticableStep.BETTER_TIME].setChecked(True)
            form.steps_note.setPlainText("Picture cards; asked again after lunch, with her son.")
            for name, note in [
                ("understand", "Followed the picture cards"),
                ("retain", "Could not recall them a minute later"),
                ("use_or_weigh", "Could not say what sharing would mean"),
                ("communicate", "Says yes and no clearly"),
            ]:
                able = 1 if name in ("communicate", "understand") or not lacks else 2
                form.abilities[name].setCurrentIndex(able)
                form.notes[name].setText(note)
            form.outcome.setCurrentIndex(2 if lacks else 1)

        def fill_best_interests(dialog: ConsentFlowDialog) -> None:
            form = dialog.best_interests
            for name, relationship, said in [
                ("Owen Pritchard", "her son", "She would want to help others like her."),
                ("Carys Bevan", "key worker", "She enjoys talking about the mill."),
            ]:
                row = form.add_row()
                row.name.setText(name)
                row.relationship.setText(relationship)
                row.said.setText(said)
            form.wishes.setPlainText("She has always spoken up for people in her position.")
            form.why.setPlainText("Her story may help others in her position, without her name.")
            form.advocate_name.setText("Bethan Rees")

        # The flow in order, for a supported decision.
        dialog = flow()
        n = 0
        while True:
            step = dialog.current_step()
            if step.key == "basis":
                dialog._choose_basis(ConsentBasis.SUPPORTED_DECISION)
                dialog.helper.setText("Dafydd Hughes")
            if step.key.startswith("scope:"):
                answer_all(dialog)
            if step.key == "how":
                dialog.persons_words.setPlainText("“Yes, tell them about the bus. Not my name.”")
            n += 1
            save(dialog, f"consent-{n:02d}-{step.key.replace(':', '-')}")
            if step.key == "check":
                break
            dialog.go_next()
        dialog.go_next()  # Save
        wait_for(lambda: dialog.result_record is not None)
        save(dialog, f"consent-{n + 1:02d}-done")
        dialog.done(0)

        # "Is this right?" for every basis, and the Mental Capacity Act steps on the way.
        for basis in ConsentBasis:
            dialog = flow()
            dialog._choose_basis(basis)
            dialog.decided_by.setText(
                "Mair Pritchard"
                if basis in (ConsentBasis.OWN_CONSENT, ConsentBasis.SUPPORTED_DECISION)
                else "Gareth Pritchard"
            )
            if basis is ConsentBasis.SUPPORTED_DECISION:
                dialog.helper.setText("Dafydd Hughes")
            if basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY:
                dialog.reference.setText("PA-7731-0042")
                dialog._show(dialog.basis_step)
                save(dialog, "consent-who-decides-attorney")
            if basis is ConsentBasis.DEPUTY:
                dialog.reference.setText("COP 1234567")
            if basis is ConsentBasis.BEST_INTERESTS:
                fill_capacity(dialog, lacks=True)
                dialog._show(dialog.capacity_step)
                save(dialog, "consent-capacity")
                fill_best_interests(dialog)
            answer_all(dialog)
            dialog.conditions.setPlainText("Not in the local paper.")
            if basis is ConsentBasis.BEST_INTERESTS:
                dialog._show(dialog.best_interests_step)
                save(dialog, "consent-best-interests")
            if basis is ConsentBasis.LASTING_POWER_OF_ATTORNEY:
                dialog._show(dialog.scope_steps[ConsentScope.SHARE_WITH_COORDINATOR])
                save(dialog, "consent-asked-of-the-attorney")
            dialog._show(dialog.check_step)
            save(dialog, f"consent-check-{basis.value.replace('_', '-')}")
            dialog.done(0)

        # Taking part of it back, step by step.
        with store.read() as session:
            current = consent.current_consent(session, story.id)
        assert current is not None
        withdrawal = WithdrawalDialog(context, story.id, "Mair Pritchard", current)
        withdrawal.show()
        withdrawal.some.setChecked(True)
        withdrawal.scope_buttons[ConsentScope.QUOTE_ANONYMISED].setChecked(True)
        withdrawal.reason.setPlainText("“I don’t want my words in the newsletter after all.”")
        for number, step in enumerate(withdrawal._sequence(), start=1):
            withdrawal._show(step)
            save(withdrawal, f"consent-withdraw-{number}-{step.key}")
        withdrawal.close()

        # A fully withdrawn story in the editor: the content hidden, the purge offered.
        with store.write(actor="docs") as session:
            consent.withdraw(
                session,
                story.id,
                consent.Withdrawal(
                    "Mair Pritchard",
                    ConsentBasis.OWN_CONSENT,
                    ConsentMethod.VERBAL,
                    decided_on=dt.date.today(),
                ),
            )
        window = MainWindow(context)
        window.resize(min(1280, 10 * args.scale), min(800, 7 * args.scale))
        window.show()
        window.open_story(story.id)
        wait_for(lambda: window.editor.story is not None)
        save(window, "consent-withdrawn-story")
        window.close()
        context.shutdown()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
