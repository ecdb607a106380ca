"""Walking away safely: the window locks after a while without a key or a click, and on demand.

Locking saves what was typed, stops a recording (what was recorded is kept, as when the story
closes), stops reading aloud and playing, closes every other window and dialog, and puts the
lock screen (``widgets/lock_screen.py``) in the place of everything the window showed: no
story, name or recording stays on screen, the menus and their shortcuts are off, and the title
is the program's name alone.

What unlocks it is what opened the store: its passphrase (or the recovery key) when it has one,
else the store key read again from the system's keyring, which a locked keyring gives only
once the person has signed in again (the lock screen then says plainly that anyone using this
computer account can unlock it). Either way the key found must be this store's own key. The
checks run on a thread of their own: a passphrase takes Argon2id's moment, and a keyring may
wait for its own unlock prompt; the window stays responsive meanwhile.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import threading
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QToolTip,
    QWidget,
)

from storykeeper import APP_NAME
from storykeeper.core import faults
from storykeeper.core.errors import StorykeeperError
from storykeeper.core.key_derivation import derive
from storykeeper.core.store_keys import (
    KEYS_FILE,
    StoreKeys,
    TooManyTriesError,
    WrongSecretError,
)
from storykeeper.gui.context import AppContext
from storykeeper.gui.idle import IdleWatcher
from storykeeper.gui.settings import LOCK_AFTER_MINUTES_CHOICES
from storykeeper.gui.widgets.lock_screen import LockScreen, Secret, UnlockWith
from storykeeper.gui.widgets.read_aloud import ReadAloud

log = logging.getLogger(__name__)

LOCK_SHORTCUT = "Ctrl+L"
KEYRING_REFUSED = (
    "The keyring did not give Storykeeper’s key. Unlock this computer’s keyring (sign in to "
    "the computer again, or answer its keyring prompt), then press Unlock again; or use the "
    "recovery key."
)
TOO_MANY_TRIES = "There were several wrong tries."
RECOVERY_KEY_USED = (
    "Unlocked with the recovery key. If the passphrase is lost, choose a new one with "
    "Security… in the Story menu."
)
KEYS_FILE_GONE = (
    f"The store's keys file ({KEYS_FILE}) has gone from the data folder, so nothing can unlock "
    "Storykeeper here. Close it (what was typed is saved), then put the keys file back from a "
    "backup of the data folder."
)
ANSWERS_NAME = "storykeeper-unlock-answers"
NOT_THIS_STORE = (
    "That key does not belong to this computer’s stories. Try the passphrase or the recovery "
    "key made for them."
)


class _Answers(QObject):
    """Brings a check's answer from its thread to the GUI thread (a queued signal). One for the
    application's life: a window closed meanwhile has simply stopped listening, and the thread
    never signals through an object that may be deleted under it."""

    #: The request it answers, the store key found or None, the error or None.
    done = Signal(object, object, object)


def _answers() -> _Answers:
    app = QApplication.instance()
    found = app.findChild(_Answers, ANSWERS_NAME)
    if found is None:
        found = _Answers(app)
        found.setObjectName(ANSWERS_NAME)
    return found


def _check_in_background(check: Callable[[], bytes | None], request: object) -> None:
    answers = _answers()

    def tell(found: bytes | None, error: BaseException | None) -> None:
        # The application itself may have ended meanwhile: then there is nobody left to tell.
        with contextlib.suppress(RuntimeError):
            answers.done.emit(request, found, error)

    def run() -> None:
        try:
            found = check()
        except Exception as exc:  # every failure goes back as an answer
            tell(None, exc)
        else:
            tell(found, None)

    threading.Thread(target=run, name="storykeeper-unlock", daemon=True).start()


class AppLock(QObject):
    """Locks ``window`` (its central widget is put in a stack with the lock screen)."""

    locked_changed = Signal(bool)

    def __init__(self, window: QMainWindow, context: AppContext) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self.stack = QStackedWidget()
        self.stack.setObjectName("lock-stack")
        self.content = window.takeCentralWidget()
        self.stack.addWidget(self.content)
        window.setCentralWidget(self.stack)
        self.lock_screen: LockScreen | None = None
        #: The check under way (one at a time), to know its answer from an older one.
        self._request: object | None = None
        _answers().done.connect(self._checked)
        self._title = APP_NAME
        self._disabled_actions: list[QAction] = []
        self._hidden_windows: list[QWidget] = []
        self._focus_before: QWidget | None = None
        self.lock_action = QAction("&Lock Storykeeper", window)
        self.lock_action.setShortcut(QKeySequence(LOCK_SHORTCUT))
        self.lock_action.triggered.connect(self.lock)
        window.addAction(self.lock_action)  # the shortcut works wherever the focus is
        self.idle = IdleWatcher(window, self.lock_action.shortcut(), self)
        self.idle.idle.connect(self._idle)
        self.idle.lock_keys_pressed.connect(self.lock)
        self.idle.set_idle_ms(context.settings.lock_after_minutes * 60_000)
        self.idle.set_watching(True)

    @property
    def locked(self) -> bool:
        return self.lock_screen is not None

    def add_menu_items(self, menu: QMenu) -> None:
        """ "Lock Storykeeper" and "Lock when idle" (how long) in ``menu``."""
        menu.addAction(self.lock_action)
        after = menu.addMenu("Lock when &idle")
        self.idle_choices = QActionGroup(self)
        chosen = self._context.settings.lock_after_minutes
        for minutes in LOCK_AFTER_MINUTES_CHOICES:
            words = (
                "&Never (only when asked)"
                if minutes == 0
                else f"After {minutes} minute{'s' if minutes != 1 else ''}"
            )
            action = QAction(words, self, checkable=True)
            action.setData(minutes)
            action.setChecked(minutes == chosen)
            action.triggered.connect(lambda _checked, m=minutes: self.set_lock_after(m))
            self.idle_choices.addAction(action)
            after.addAction(action)

    def set_lock_after(self, minutes: int) -> None:
        self._context.settings.lock_after_minutes = minutes
        self.idle.set_idle_ms(self._context.settings.lock_after_minutes * 60_000)
        for action in self.idle_choices.actions():
            action.setChecked(action.data() == self._context.settings.lock_after_minutes)

    # --- locking -----------------------------------------------------------------------------

    def _idle(self) -> None:
        if not self._window.isVisible():
            # Closed (a minimised window is still visible): nothing to lock, nothing to watch.
            self.idle.set_watching(False)
            return
        editor = getattr(self._window, "editor", None)
        if editor is not None and editor.recorder.recording:
            # An interview can go on for many minutes without a key: while a recording runs,
            # someone is there. Counting starts again; Ctrl+L still locks (and stops it).
            self.idle.restart()
            return
        self.lock()

    def lock(self) -> None:
        if self.locked:
            return
        self._focus_before = QApplication.focusWidget()
        # The cover first: whatever goes wrong in the steps after it, nothing stays on show.
        self._cover()
        for step in (self._keep_the_work, self._close_other_windows):
            try:
                step()
            except Exception as exc:  # the lock stands; the log says what did not finish
                log.error("locking: %s did not finish: %s", step.__name__, faults.describe(exc))
        self._window.activateWindow()
        if self.lock_screen is not None:
            self.lock_screen.focus_first()
        log.info("the window was locked")
        self.locked_changed.emit(True)

    def _cover(self) -> None:
        """The lock screen in place of the pages; menus, shortcuts and the status line off."""
        QToolTip.hideText()
        for action in self._window.actions():
            if action.isEnabled() and action is not self.lock_action:
                action.setEnabled(False)
                self._disabled_actions.append(action)
        self.lock_action.setEnabled(False)
        self._window.menuBar().setEnabled(False)
        self._window.statusBar().clearMessage()
        self.content.setEnabled(False)  # no shortcut of a hidden page fires, no focus goes in
        self.lock_screen = LockScreen(self._unlock_with())
        self.lock_screen.unlock_requested.connect(self._unlock_requested)
        self.stack.addWidget(self.lock_screen)
        self.stack.setCurrentWidget(self.lock_screen)
        self._title = self._window.windowTitle()
        self._window.setWindowTitle(APP_NAME)
        self.idle.set_watching(False)
        # Windows that open while locked (a message from a save finishing) are closed too.
        QApplication.instance().installEventFilter(self)
        wait = self._seconds_to_wait()
        if wait > 0:
            self.lock_screen.refused(TOO_MANY_TRIES, wait)

    def _keep_the_work(self) -> None:
        """Typing saved (first to its draft, then to the store), a recording stopped and kept,
        nothing read aloud or played while nobody is there."""
        editor = getattr(self._window, "editor", None)
        if editor is not None:
            editor.save_now()
            editor.recorder.shutdown()
        for window in QApplication.topLevelWidgets():
            for speech in window.findChildren(ReadAloud):
                speech.stop()
            for player in window.findChildren(QMediaPlayer):
                player.pause()

    def _close_other_windows(self) -> None:
        """Every other window goes: a dialog ends as if cancelled (modal ones too, their own
        event loop returns), without the questions its Cancel would ask; other windows are
        hidden and come back after unlocking."""
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            after = QApplication.activePopupWidget()
            popup = None if after is popup else after
        for widget in QApplication.topLevelWidgets():
            if widget is self._window or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                # QDialog's own done(): not a subclass's reject(), which may ask "Stop without
                # saving?" or wait for a running task; what such a task writes still arrives.
                QDialog.done(widget, QDialog.DialogCode.Rejected)
            elif widget.isWindow() and not (widget.windowFlags() & Qt.WindowType.Popup):
                widget.hide()
                self._hidden_windows.append(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.locked
            and event.type() == QEvent.Type.Show
            and isinstance(watched, QDialog)
            and watched.isWindow()
            and not self._belongs_to_screen(watched)
        ):
            # Not inside the show: a dialog's exec() starts its loop after showing, and would
            # wait forever on a dialog already closed. The next turn of its own loop ends it.
            QTimer.singleShot(0, watched, lambda: self._end_dialog(watched))
        return False

    def _belongs_to_screen(self, widget: QWidget) -> bool:
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self.lock_screen:
                return True
            parent = parent.parentWidget()
        return False

    def _end_dialog(self, dialog: QDialog) -> None:
        if self.locked and shiboken6.isValid(dialog) and dialog.isVisible():
            QDialog.done(dialog, QDialog.DialogCode.Rejected)

    # --- unlocking ---------------------------------------------------------------------------

    def _keys(self) -> StoreKeys:
        return StoreKeys(self._context.paths.data_dir)

    def _unlock_with(self) -> UnlockWith:
        # The open store says whether there is anything to check, not the keys file: a file
        # removed or damaged since the start must not turn the lock into a Return button.
        if not self._context.store.encrypted:
            return UnlockWith.NOTHING
        try:
            return UnlockWith.PASSPHRASE if self._keys().has_passphrase else UnlockWith.SYSTEM
        except StorykeeperError:
            return UnlockWith.PASSPHRASE  # asked for, a try then says what is wrong

    def _seconds_to_wait(self) -> float:
        keys = self._keys()
        if not keys.encrypted:
            return 0.0
        try:
            return keys.seconds_before_next_try()
        except StorykeeperError:
            return 0.0

    def _unlock_requested(self, secret: Secret, typed: str) -> None:
        if self.lock_screen is None or self._request is not None:
            return
        if not self._context.store.encrypted:
            self.unlock()  # a store kept plain: the lock only hides the screen
            return
        keys = self._keys()
        if not keys.encrypted:
            self.lock_screen.refused(KEYS_FILE_GONE, 0)
            return
        wait = self._seconds_to_wait() if secret is not Secret.SYSTEM else 0.0
        if 0 < wait < 1:
            # The countdown's last second ended a moment early: try when the wait is over.
            QTimer.singleShot(
                int(wait * 1000) + 1, self, lambda: self._unlock_requested(secret, typed)
            )
            return
        if wait > 0:
            self.lock_screen.refused(TOO_MANY_TRIES, wait)
            return
        check: Callable[[], bytes | None]
        if secret is Secret.PASSPHRASE:
            check = lambda: keys.with_passphrase(typed)  # noqa: E731
        elif secret is Secret.RECOVERY_KEY:
            check = lambda: keys.with_recovery_key(typed)  # noqa: E731
        else:
            check = keys.from_keyring
        self.lock_screen.checking()
        self._request = object()
        _check_in_background(check, self._request)

    def _checked(
        self, request: object, store_key: bytes | None, error: BaseException | None
    ) -> None:
        if request is not self._request:
            return  # another window's check
        self._request = None
        if self.lock_screen is None:
            return
        if error is None and store_key is None:
            self.lock_screen.refused(KEYRING_REFUSED, 0)
        elif error is None and store_key is not None:
            if self._is_this_stores(store_key):
                # The passphrase may be lost: say where a new one is chosen.
                forgotten = (
                    self.lock_screen.using_recovery_key
                    and self.lock_screen.unlock_with is UnlockWith.PASSPHRASE
                )
                self.unlock()
                if forgotten:
                    self._window.statusBar().showMessage(RECOVERY_KEY_USED, 30_000)
            else:
                self.lock_screen.refused(NOT_THIS_STORE, self._seconds_to_wait())
        elif isinstance(error, TooManyTriesError):
            self.lock_screen.refused(TOO_MANY_TRIES, self._seconds_to_wait())
        elif isinstance(error, WrongSecretError):
            self.lock_screen.refused(error.message, self._seconds_to_wait())
        elif isinstance(error, StorykeeperError):
            self.lock_screen.refused(error.message, 0)
        else:
            # Never the error's own text: the log gets its kinds and frames, the person a line.
            log.error("unlocking failed unexpectedly: %s", faults.describe(error))
            self.lock_screen.refused(
                f"Something unexpected went wrong ({type(error).__name__}). Details are in "
                f"{self._context.paths.log_file}. Try again, or use the recovery key.",
                0,
            )

    def _is_this_stores(self, store_key: bytes) -> bool:
        """The key unlocks this very store (a keys file put in its place would give another)."""
        expected = self._context.store.sealing_key("database")
        if expected is None:
            return False
        try:
            found = derive(store_key, "database")
        except ValueError:
            return False
        return hmac.compare_digest(found, expected)

    def unlock(self) -> None:
        if self.lock_screen is None:
            return
        self.stack.setCurrentWidget(self.content)
        self.stack.removeWidget(self.lock_screen)
        self.lock_screen.deleteLater()
        self.lock_screen = None
        self._request = None  # an answer still on its way is for a screen that is gone
        QApplication.instance().removeEventFilter(self)
        self.content.setEnabled(True)
        for action in self._disabled_actions:
            if shiboken6.isValid(action):
                action.setEnabled(True)
        self._disabled_actions.clear()
        self.lock_action.setEnabled(True)
        self._window.menuBar().setEnabled(True)
        self._window.setWindowTitle(self._title)
        for widget in self._hidden_windows:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden_windows.clear()
        self.idle.set_watching(True)
        focus = self._focus_before
        self._focus_before = None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible():
            focus.setFocus()
        log.info("the window was unlocked")
        self.locked_changed.emit(False)
