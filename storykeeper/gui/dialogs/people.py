"""Storytellers and supporters: list, create, edit and delete.

One dialog shape for both: a searchable list on the left, the chosen person's details on the
right, and explicit Save (Ctrl+S), so nobody's details change by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from storykeeper.core import people
from storykeeper.core.display import neutralised
from storykeeper.core.vocabulary import AgeBand, Communication, SupporterRole
from storykeeper.gui.context import AppContext
from storykeeper.gui.dialogs.confirm import confirm_destructive
from storykeeper.gui.dialogs.pseudonym import PseudonymDialog
from storykeeper.gui.error_text import plain_error
from storykeeper.gui.ops import people as ops
from storykeeper.gui.widgets.media_cleanup import discard_unused_media
from storykeeper.gui.widgets.modal import run_modal

Listed = Callable[[list[Any]], None]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _PeopleDialog(QDialog):
    """The shared shape; subclasses supply the form and hand their ``gui.ops.people`` work to
    the task runner, declaring what it changes, so the views showing people refresh themselves."""

    noun = "person"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.resize(860, 560)
        self._current: Any = None
        self._dirty = False
        self._filling = False

        self.search = QLineEdit()
        self.search.setAccessibleName(f"Find a {self.noun}")
        self.search.setPlaceholderText("Type to find")
        self.list = QListWidget()
        self.list.setAccessibleName(f"{self.noun.capitalize()}s")
        self.new_button = QPushButton(f"&New {self.noun}")
        self.new_button.setAccessibleName(f"New {self.noun}")
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save changes")
        self.save_button.setToolTip("Save changes (Ctrl+S)")
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setAccessibleName(f"Delete this {self.noun}")
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.state = QLabel()
        self.state.setAccessibleName("Save status")
        self.state.setWordWrap(True)

        self.form = QFormLayout()
        self.build_form(self.form)
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.list, 1)
        left.addWidget(self.new_button)
        right = QVBoxLayout()
        right.addLayout(self.form)
        right.addWidget(self.state)
        right.addStretch()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch()
        buttons.addWidget(self.close_button)
        right.addLayout(buttons)
        body = QHBoxLayout(self)
        body.addLayout(left, 2)
        body.addLayout(right, 3)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.list.currentItemChanged.connect(self._selected)
        self.new_button.clicked.connect(self._new)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self._delete)
        self.close_button.clicked.connect(self.close)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self.save)
        self._show_person(None)
        self.reload()

    # --- for subclasses ----------------------------------------------------------------------

    def build_form(self, form: QFormLayout) -> None:
        raise NotImplementedError

    def fill(self, person: Any) -> None:
        raise NotImplementedError

    def find(self, text: str, on_done: Listed) -> None:
        """Read the people matching ``text``, then ``on_done(found)``."""
        raise NotImplementedError

    def label_for(self, person: Any) -> str:
        raise NotImplementedError

    def write_person(self, person_id: str | None, on_done: Done, on_error: Failed) -> None:
        """Save the form as a new person (``person_id`` None) or over that one."""
        raise NotImplementedError

    def delete_person(self, person: Any, on_done: Done, on_error: Failed) -> None:
        """Delete ``person`` once sure, then ``on_done(unused media)``; or say why not."""
        raise NotImplementedError

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            for signal in ("textEdited", "textChanged", "currentIndexChanged", "toggled"):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(self._edited)
                    break

    # --- behaviour -----------------------------------------------------------------------------

    def reload(self, select_id: str | None = None) -> None:
        self.find(self.search.text().strip(), lambda found: self._listed(found, select_id))

    def _listed(self, found: list[Any], select_id: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for person in found:
            item = QListWidgetItem(neutralised(self.label_for(person)))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.list.addItem(item)
            if person.id == select_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def _selected(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        if not self._may_leave():
            return
        self._show_person(item.data(Qt.ItemDataRole.UserRole))

    def _show_person(self, person: Any) -> None:
        self._filling = True
        self._current = person
        self.fill(person)
        self._filling = False
        self._dirty = False
        self.delete_button.setEnabled(person is not None)
        self.state.setText(
            "" if person else f"Fill in the details, then Save to add a {self.noun}."
        )

    def _new(self) -> None:
        if self._may_leave():
            self.list.clearSelection()
            self._show_person(None)
            self.first_field().setFocus()

    def first_field(self) -> QWidget:
        raise NotImplementedError

    def _edited(self) -> None:
        if not self._filling:
            self._dirty = True
            self.state.setText("Changes not saved yet (Ctrl+S saves).")

    def save(self) -> None:
        person_id = self._current.id if self._current is not None else None
        self.write_person(person_id, self._saved, self._failed)

    def _saved(self, person: Any) -> None:
        self._dirty = False
        self._current = person
        self.delete_button.setEnabled(True)
        self.state.setText(f"Saved {neutralised(self.label_for(person))}.")
        self.reload(select_id=person.id)

    def _failed(self, error: BaseException) -> None:
        self.state.setText(f"Not saved: {plain_error(error, self.context.paths)}")

    def _delete(self) -> None:
        if self._current is not None:
            self.delete_person(self._current, self._deleted, self._failed)

    def _deleted(self, unused_media: list[str]) -> None:
        self._show_person(None)
        self.state.setText("Deleted.")
        self.reload()
        discard_unused_media(self.context, unused_media)

    def _may_leave(self) -> bool:
        if not self._dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            "Save the changes you made first?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            self.save()
        self._dirty = False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_leave():
            event.accept()
        else:
            event.ignore()

    def reject(self) -> None:
        self.close()


class StorytellersDialog(_PeopleDialog):
    noun = "storyteller"

    def build_form(self, form: QFormLayout) -> None:
        self.setWindowTitle("Storytellers")
        self.name = QLineEdit()
        self.name.setAccessibleName("Name, as they wish to be named")
        self.pseudonym = QLabel()
        self.pseudonym.setAccessibleName("Pseudonym")
        self.choose_pseudonym = QPushButton("&Choose pseudonym…")
        self.choose_pseudonym.setAccessibleName("Choose a pseudonym with the person")
        self.choose_pseudonym.clicked.connect(self._choose_pseudonym)
        pseudonym_row = QHBoxLayout()
        pseudonym_row.addWidget(self.pseudonym, 1)
        pseudonym_row.addWidget(self.choose_pseudonym)
        self.age_band = QComboBox()
        self.age_band.setAccessibleName("Age band")
        self.age_band.addItem("Not recorded", None)
        for band in AgeBand:
            self.age_band.addItem(band.label, band)
        self.ways: dict[Communication, QCheckBox] = {}
        ways_box = QVBoxLayout()
        for way in Communication:
            box = QCheckBox(way.label)
            box.setAccessibleName(f"Communicates by: {way.label}")
            self.ways[way] = box
            ways_box.addWidget(box)
        self.support_needs = QPlainTextEdit()
        self.support_needs.setAccessibleName("Support needs")
        self.support_needs.setTabChangesFocus(True)
        self.support_needs.setPlaceholderText("What helps them take part: breaks, an interpreter…")
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.name)
        form.addRow(name_label, self.name)
        form.addRow("Pseudonym:", pseudonym_row)
        age_label = QLabel("&Age band:")
        age_label.setBuddy(self.age_band)
        form.addRow(age_label, self.age_band)
        form.addRow("Communicates by:", ways_box)
        needs_label = QLabel("Support &needs:")
        needs_label.setBuddy(self.support_needs)
        form.addRow(needs_label, self.support_needs)
        self.watch(self.name, self.age_band, self.support_needs, *self.ways.values())

    def first_field(self) -> QWidget:
        return self.name

    def fill(self, person: people.Storyteller | None) -> None:
        self.name.setText(person.display_name if person else "")
        self.pseudonym.setText(neutralised(person.pseudonym) if person else "(made when saved)")
        self.choose_pseudonym.setEnabled(person is not None)
        self.age_band.setCurrentIndex(
            max(0, self.age_band.findData(person.age_band if person else None))
        )
        for way, box in self.ways.items():
            box.setChecked(bool(person) and way in person.communication)
        self.support_needs.setPlainText(person.support_needs if person else "")

    def find(self, text: str, on_done: Listed) -> None:
        self.context.tasks.read(partial(ops.find_storytellers, text=text), on_done=on_done)

    def _choose_pseudonym(self) -> None:
        if self._current is None:
            return
        dialog = PseudonymDialog(self.context, self._current, self)
        if run_modal(dialog) and dialog.saved is not None:
            # Only the pseudonym changed: the form keeps any edits not saved yet.
            self._current = dialog.saved
            self.pseudonym.setText(neutralised(dialog.saved.pseudonym))
            self.state.setText(f"New pseudonym: {neutralised(dialog.saved.pseudonym)}.")
            self.reload(select_id=dialog.saved.id)

    def label_for(self, person: people.Storyteller) -> str:
        return f"{person.display_name} — {person.pseudonym}"

    def write_person(self, person_id: str | None, on_done: Done, on_error: Failed) -> None:
        details = ops.StorytellerDetails(
            name=self.name.text(),
            # Qt hands enum item data back as plain strings: make them enums again.
            age_band=AgeBand(band) if (band := self.age_band.currentData()) else None,
            communication=tuple(way for way, box in self.ways.items() if box.isChecked()),
            support_needs=self.support_needs.toPlainText(),
        )
        self.context.tasks.write(
            partial(ops.save_storyteller, storyteller_id=person_id, details=details),
            on_done=on_done,
            on_error=on_error,
            changes=ops.storyteller_saved_changes,
        )

    def delete_person(self, person: people.Storyteller, on_done: Done, on_error: Failed) -> None:
        count = person.story_count
        stories_text = f" and their {count} {'story' if count == 1 else 'stories'}" if count else ""
        if not confirm_destructive(
            self,
            "Delete storyteller",
            f"Delete {person.display_name}{stories_text}?\n\n"
            "Their details and words are removed from this computer. A record that each story "
            "existed is kept, and the deletion is written in the audit log. "
            "This cannot be undone.",
            act="Delete",
            keep="Keep",
        ):
            return
        self.context.tasks.write(
            partial(ops.delete_storyteller, storyteller_id=person.id),
            on_done=lambda removed: on_done(removed.unused_media),
            on_error=on_error,
            changes=ops.storyteller_removed_changes,
        )


class SupportersDialog(_PeopleDialog):
    noun = "supporter"

    def build_form(self, form: QFormLayout) -> None:
        self.setWindowTitle("Supporters")
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role in SupporterRole:
            self.role.addItem(role.label, role)
        self.organisation = QLineEdit()
        self.organisation.setAccessibleName("Organisation")
        self.contact = QLineEdit()
        self.contact.setAccessibleName("Contact details")
        for text, widget in (
            ("&Name:", self.name),
            ("&Role:", self.role),
            ("&Organisation:", self.organisation),
            ("&Contact:", self.contact),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.watch(self.name, self.role, self.organisation, self.contact)

    def first_field(self) -> QWidget:
        return self.name

    def fill(self, person: people.Supporter | None) -> None:
        self.name.setText(person.name if person else "")
        self.role.setCurrentIndex(max(0, self.role.findData(person.role if person else None)))
        self.organisation.setText(person.organisation if person else "")
        self.contact.setText(person.contact if person else "")

    def find(self, text: str, on_done: Listed) -> None:
        self.context.tasks.read(partial(ops.find_supporters, text=text), on_done=on_done)

    def label_for(self, person: people.Supporter) -> str:
        return f"{person.name} ({person.role.label})"

    def write_person(self, person_id: str | None, on_done: Done, on_error: Failed) -> None:
        details = ops.SupporterDetails(
            name=self.name.text(),
            role=SupporterRole(self.role.currentData()),
            organisation=self.organisation.text(),
            contact=self.contact.text(),
        )
        self.context.tasks.write(
            partial(ops.save_supporter, supporter_id=person_id, details=details),
            on_done=on_done,
            on_error=on_error,
            changes=ops.supporter_saved_changes,
        )

    def delete_person(self, person: people.Supporter, on_done: Done, on_error: Failed) -> None:
        QMessageBox.information(
            self,
            "Supporters are kept",
            "Supporters are kept because stories and consent records name them as recorder "
            "or witness. Edit their details instead.",
        )
