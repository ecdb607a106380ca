"""Reading the person's own words aloud, so they can hear what was written.

Uses Qt's text-to-speech. Where no speech engine is installed the button still works: it says
why nothing can be read and how to fix it, instead of failing silently.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtTextToSpeech import QTextToSpeech
from PySide6.QtWidgets import QMessageBox, QWidget

from storykeeper.gui.widgets.modal import give_keyboard_back

#: Tests choose Qt's "mock" engine; people can choose another installed engine.
ENGINE_ENV = "STORYKEEPER_TTS_ENGINE"
NO_ENGINE_HELP = (
    "Reading aloud needs a speech engine, and none is working on this computer. "
    "On Debian or Ubuntu, install the packages speech-dispatcher and espeak-ng, "
    "then start Storykeeper again."
)
NO_SOUND_OUTPUT = (
    "There is no sound output to read aloud with: plug in speakers or headphones, "
    "or turn the sound on, then try again."
)


class ReadAloud(QObject):
    #: True while speaking.
    speaking_changed = Signal(bool)
    #: The text handed to the speech engine (what a person is about to hear).
    said = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speech: QTextToSpeech | None = None
        self._problem: str | None = None
        self._speaking = False
        # Speakers unplugged while reading: stop, so the button goes back to "Read aloud".
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self._outputs_changed)

    def _engine(self) -> QTextToSpeech | None:
        """Made on first use: starting a speech engine can take a moment."""
        if self._speech is not None or self._problem is not None:
            return self._speech
        engines = QTextToSpeech.availableEngines()
        wanted = os.environ.get(ENGINE_ENV) or next((e for e in engines if e != "mock"), None)
        if wanted is None or wanted not in engines:
            self._problem = NO_ENGINE_HELP
            return None
        speech = QTextToSpeech(wanted, self)
        if speech.state() == QTextToSpeech.State.Error:
            self._problem = f"{NO_ENGINE_HELP}\n\n(The engine said: {speech.errorString()})"
            speech.deleteLater()
            return None
        speech.stateChanged.connect(self._state_changed)
        self._speech = speech
        return speech

    @property
    def problem(self) -> str | None:
        """Why reading aloud cannot work here, or None when it can."""
        self._engine()
        return self._problem

    @property
    def speaking(self) -> bool:
        return self._speaking

    def say(self, text: str) -> bool:
        speech = self._engine()
        if speech is None or not text.strip():
            return False
        speech.say(text)
        self.said.emit(text)
        return True

    def stop(self) -> None:
        if self._speech is not None:
            self._speech.stop()

    def _outputs_changed(self) -> None:
        if self._speaking and not QMediaDevices.audioOutputs():
            self.stop()

    def _state_changed(self, state: QTextToSpeech.State) -> None:
        speaking = state in (QTextToSpeech.State.Speaking, QTextToSpeech.State.Synthesizing)
        if speaking != self._speaking:
            self._speaking = speaking
            self.speaking_changed.emit(speaking)
        if state == QTextToSpeech.State.Error and self._speech is not None:
            self._problem = f"{NO_ENGINE_HELP}\n\n(The engine said: {self._speech.errorString()})"


def read_or_stop(reader: ReadAloud, parent: QWidget, text: str) -> bool:
    """What a "Read aloud" button does: stop if speaking, else say ``text`` or say why it cannot.

    Returns False only when there was nothing to read, so the caller can say so in its words.
    """
    if reader.speaking:
        reader.stop()
        return True
    # Without a sound output the engine "speaks" into nothing and never finishes: say so.
    problem = reader.problem or (None if QMediaDevices.audioOutputs() else NO_SOUND_OUTPUT)
    if problem:
        QMessageBox.information(parent, "Reading aloud is not available", problem)
        give_keyboard_back(parent)
        return True
    return reader.say(text)
