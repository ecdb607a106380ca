"""The window's own settings (text size, contrast, what was open), kept in the data folder.

Kept beside the database rather than in the platform's settings store, so a data folder carries
its comfort settings with it and each test's fresh folder starts from the defaults.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

TEXT_SCALE_MIN = 100
TEXT_SCALE_MAX = 200
TEXT_SCALE_STEP = 25
#: Days after the newest backup before the window reminds (issue 19), and the most it takes.
BACKUP_REMINDER_DAYS_DEFAULT = 7
BACKUP_REMINDER_DAYS_MAX = 365
#: Minutes without a key or a click before the window locks itself (issue 19); 0: never.
LOCK_AFTER_MINUTES_DEFAULT = 5
LOCK_AFTER_MINUTES_CHOICES = (1, 2, 5, 10, 15, 30, 60, 0)


class Use(StrEnum):
    """What the person does with this data folder, as the first day asked (issue 20)."""

    RECORD = "record"  # an advocate: records people's stories and sends them on
    RECEIVE = "receive"  # a coordinator: receives advocates' stories
    BOTH = "both"


class GuiSettings:
    def __init__(self, path: Path) -> None:
        self._qt = QSettings(str(path), QSettings.Format.IniFormat)

    def sync(self) -> None:
        self._qt.sync()

    @property
    def text_scale(self) -> int:
        value = self._qt.value("appearance/text_scale", TEXT_SCALE_MIN)
        try:
            scale = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            scale = TEXT_SCALE_MIN
        return max(TEXT_SCALE_MIN, min(TEXT_SCALE_MAX, scale))

    @text_scale.setter
    def text_scale(self, value: int) -> None:
        self._qt.setValue("appearance/text_scale", max(TEXT_SCALE_MIN, min(TEXT_SCALE_MAX, value)))
        self._qt.sync()

    @property
    def high_contrast(self) -> bool:
        return str(self._qt.value("appearance/high_contrast", "false")).lower() == "true"

    @high_contrast.setter
    def high_contrast(self, value: bool) -> None:
        self._qt.setValue("appearance/high_contrast", "true" if value else "false")
        self._qt.sync()

    @property
    def lock_after_minutes(self) -> int:
        """Idle minutes before the window locks; 0 means it locks only when asked."""
        value = self._qt.value("lock/idle_minutes", LOCK_AFTER_MINUTES_DEFAULT)
        try:
            minutes = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return LOCK_AFTER_MINUTES_DEFAULT
        # A hand-edited file cannot make it negative or days long (an unattended window).
        return (
            minutes
            if 0 <= minutes <= max(LOCK_AFTER_MINUTES_CHOICES)
            else LOCK_AFTER_MINUTES_DEFAULT
        )

    @lock_after_minutes.setter
    def lock_after_minutes(self, minutes: int) -> None:
        self._qt.setValue(
            "lock/idle_minutes", max(0, min(max(LOCK_AFTER_MINUTES_CHOICES), minutes))
        )
        self._qt.sync()

    @property
    def open_story(self) -> str | None:
        """The story being edited: reopened at start if the program did not close normally."""
        value = self._qt.value("session/open_story", "")
        return str(value) or None

    @open_story.setter
    def open_story(self, story_id: str | None) -> None:
        self._qt.setValue("session/open_story", story_id or "")
        self._qt.sync()

    @property
    def last_supporter(self) -> str | None:
        value = self._qt.value("capture/last_supporter", "")
        return str(value) or None

    @last_supporter.setter
    def last_supporter(self, supporter_id: str | None) -> None:
        self._qt.setValue("capture/last_supporter", supporter_id or "")
        self._qt.sync()

    @property
    def use(self) -> Use | None:
        """What the first day was told this folder is for; None: not told (or not asked)."""
        value = str(self._qt.value("first_day/use", ""))
        return Use(value) if value in set(Use) else None

    @use.setter
    def use(self, value: Use | None) -> None:
        self._qt.setValue("first_day/use", value.value if value else "")
        self._qt.sync()

    @property
    def first_day_asked(self) -> bool:
        """Whether the first-day question was put (answered or put off): it is put once."""
        return str(self._qt.value("first_day/asked", "false")).lower() == "true"

    @first_day_asked.setter
    def first_day_asked(self, asked: bool) -> None:
        self._qt.setValue("first_day/asked", "true" if asked else "false")
        self._qt.sync()

    @property
    def own_supporter(self) -> str | None:
        """The person at this computer's own supporter entry: "recorded by" for new stories."""
        value = self._qt.value("capture/own_supporter", "")
        return str(value) or None

    @own_supporter.setter
    def own_supporter(self, supporter_id: str | None) -> None:
        self._qt.setValue("capture/own_supporter", supporter_id or "")
        self._qt.sync()

    def report_choice(self, name: str, default: str = "") -> str:
        """A choice remembered by the insight page's "Save report…" (title, organisation…)."""
        return str(self._qt.value(f"report/{name}", default))

    def set_report_choice(self, name: str, value: str) -> None:
        self._qt.setValue(f"report/{name}", value)
        self._qt.sync()

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._qt.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._qt.setValue("window/geometry", value)

    @property
    def backup_reminder_days(self) -> int:
        """Days after the newest backup before the window reminds; 0: never (issue 19)."""
        value = self._qt.value("backup/reminder_days", BACKUP_REMINDER_DAYS_DEFAULT)
        try:
            days = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return BACKUP_REMINDER_DAYS_DEFAULT
        return days if 0 <= days <= BACKUP_REMINDER_DAYS_MAX else BACKUP_REMINDER_DAYS_DEFAULT

    @backup_reminder_days.setter
    def backup_reminder_days(self, days: int) -> None:
        self._qt.setValue("backup/reminder_days", max(0, min(BACKUP_REMINDER_DAYS_MAX, days)))
        self._qt.sync()

    @property
    def backup_folder(self) -> str:
        """The folder the last backup went to, offered again next time."""
        return str(self._qt.value("backup/folder", ""))

    @backup_folder.setter
    def backup_folder(self, folder: str) -> None:
        self._qt.setValue("backup/folder", folder)
        self._qt.sync()

    @property
    def export_folder(self) -> str:
        """Where the next bundle is saved: the last folder used, if it is still there.

        Otherwise the person's Documents folder, but only if it exists (a fresh account or
        another language may have none), else their home folder: never a folder the export
        would then fail to write into.
        """
        remembered = str(self._qt.value("export/folder", ""))
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        for candidate in (remembered, documents):
            if candidate and Path(candidate).is_dir():
                return candidate
        return str(Path.home())

    @export_folder.setter
    def export_folder(self, folder: str) -> None:
        self._qt.setValue("export/folder", folder)
        self._qt.sync()
