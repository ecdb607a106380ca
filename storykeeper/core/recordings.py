"""Audio recordings: where one is written while it is made, how it is kept, and what a crash
leaves behind.

The recorder (``gui/widgets/recorder.py``, QtMultimedia) writes FLAC straight into
``recordings/<id>.flac`` in the data folder, with ``<id>.json`` beside it naming the story. On a
normal stop ``keep`` moves the file into the media store under its hash and attaches it to the
story as "Recording N". If the program dies first the file stays where it was: FLAC is a stream
of self-contained frames, so everything written up to the crash still plays, and
``recover_interrupted`` attaches it to its story the next time the program starts.

The encoder holds up to 256 KB before it writes (with quiet speech, tens of seconds), so the
recorder also keeps a safety copy: the microphone's samples as raw 16-bit PCM in ``<id>.pcm``,
written as they arrive. After a crash the safety copy is what is recovered, as a WAV file
(standard library ``wave``; no encoder is needed to read it back), unless it is missing.

A recording being made holds a lock on ``<id>.lock`` (released by the operating system if the
process dies), so a second copy of the program never takes it for a crash's leftover.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import mutagen
from filelock import FileLock, Timeout
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.attachments import Attachment, MediaStore, add_attachment
from storykeeper.core.errors import NotFoundError, StorykeeperError
from storykeeper.core.ids import resolve
from storykeeper.core.models import AttachmentRow, StoryRow
from storykeeper.core.vocabulary import AttachmentKind

#: What a recording's file is called while it is made.
SUFFIX = ".flac"
#: "Recording 3.flac", "Recording 4 (recovered).flac": the number is what marks refer to.
_NUMBERED = re.compile(r"^Recording (\d+)\b")
#: Smaller than this, a leftover holds no audio: FLAC's header and STREAMINFO alone are 42 bytes,
#: and the first frame of a second of speech is far larger.
MIN_AUDIO_BYTES = 1024


@dataclass(frozen=True)
class Recording:
    """A recording being made, or one a crash left."""

    id: str
    story_id: str
    audio: Path
    started_at: dt.datetime
    #: The safety copy's samples per second and channels, once it has begun.
    spool_rate: int = 0
    spool_channels: int = 0

    @property
    def spool(self) -> Path:
        return self.audio.with_suffix(".pcm")

    @property
    def sidecar(self) -> Path:
        return self.audio.with_suffix(".json")

    @property
    def lock_path(self) -> Path:
        return self.audio.with_suffix(".lock")


class ActiveRecording:
    """The recorder's claim on a recording in progress; ``finish`` or ``abandon`` ends it."""

    def __init__(self, recording: Recording, lock: FileLock) -> None:
        self.recording = recording
        self._lock = lock
        self._spool: BinaryIO | None = None

    def start_spool(self, rate: int, channels: int) -> None:
        """Begin the safety copy: 16-bit PCM at ``rate`` and ``channels``."""
        self.recording = Recording(
            self.recording.id,
            self.recording.story_id,
            self.recording.audio,
            self.recording.started_at,
            rate,
            channels,
        )
        _write_sidecar(self.recording)
        self._spool = self.recording.spool.open("ab")
        self.recording.spool.chmod(0o600)

    def spool(self, samples: bytes) -> None:
        """Add samples to the safety copy. Unbuffered: a crash keeps all written so far."""
        if self._spool is not None:
            self._spool.write(samples)
            self._spool.flush()

    def close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    @property
    def audio(self) -> Path:
        return self.recording.audio

    def release(self) -> None:
        """Let go of the lock and leave the files for ``recover_interrupted``."""
        self.close_spool()
        self._lock.release()

    def abandon(self) -> None:
        """Nothing worth keeping was recorded: remove the files."""
        self.close_spool()
        _remove(self.recording)
        self._lock.release()
        self.recording.lock_path.unlink(missing_ok=True)


class RecordingsFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def begin(self, story_id: str) -> ActiveRecording:
        """Claim a new file to record into. ``story_id`` is the story's full id."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        recording = Recording(
            id=str(uuid.uuid4()),
            story_id=story_id,
            audio=self.root / f"{uuid.uuid4()}{SUFFIX}",
            started_at=clock.now(),
        )
        lock = FileLock(recording.lock_path, mode=0o600)
        lock.acquire(timeout=0)
        _write_sidecar(recording)
        return ActiveRecording(recording, lock)

    def leftovers(self) -> list[Recording]:
        """Recordings no running copy of the program is making: what a crash left."""
        if not self.root.is_dir():
            return []
        found = []
        for sidecar in sorted(self.root.glob("*.json")):
            audio = sidecar.with_suffix(SUFFIX)
            try:
                about = json.loads(sidecar.read_text(encoding="utf-8"))
                recording = Recording(
                    id=str(about["id"]),
                    story_id=str(about["story_id"]),
                    audio=audio,
                    started_at=dt.datetime.fromisoformat(about["started_at"]),
                    spool_rate=int(about.get("spool_rate", 0)),
                    spool_channels=int(about.get("spool_channels", 0)),
                )
            except (OSError, ValueError, KeyError, TypeError):
                # A sidecar cut short by the crash itself: the audio can no longer be placed.
                continue
            lock = FileLock(recording.lock_path, mode=0o600)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue  # being recorded right now, by another copy of the program
            lock.release()
            found.append(recording)
        return found


def _write_sidecar(recording: Recording) -> None:
    """What the recording is, beside it; replaced whole, so a crash leaves the old or the new."""
    about = {
        "id": recording.id,
        "story_id": recording.story_id,
        "started_at": recording.started_at.isoformat(),
        "spool_rate": recording.spool_rate,
        "spool_channels": recording.spool_channels,
    }
    temp = recording.sidecar.with_suffix(".json.new")
    temp.write_text(json.dumps(about), encoding="utf-8")
    temp.chmod(0o600)
    temp.replace(recording.sidecar)


def _remove(recording: Recording) -> None:
    for path in (
        recording.audio,
        recording.spool,
        recording.sidecar,
        recording.audio.with_suffix(".wav"),
    ):
        path.unlink(missing_ok=True)


def _spool_as_wav(recording: Recording) -> Path | None:
    """The safety copy as a WAV file beside it, or None when it holds too little to keep."""
    if recording.spool_rate <= 0 or recording.spool_channels <= 0:
        return None
    try:
        size = recording.spool.stat().st_size
    except FileNotFoundError:
        return None
    frame = 2 * recording.spool_channels
    if size < MIN_AUDIO_BYTES:
        return None
    target = recording.audio.with_suffix(".wav")
    with recording.spool.open("rb") as samples, wave.open(str(target), "wb") as out:
        out.setnchannels(recording.spool_channels)
        out.setsampwidth(2)
        out.setframerate(recording.spool_rate)
        remaining = size - size % frame  # a sample cut in half by the crash is left out
        while remaining and (chunk := samples.read(min(remaining, 1 << 20))):
            out.writeframesraw(chunk)
            remaining -= len(chunk)
    target.chmod(0o600)
    return target


def duration_ms(path: Path) -> int | None:
    """The length a FLAC's STREAMINFO (or a WAV's header) gives, or None when it does not say
    (an encoder's file a crash cut short says 0 samples)."""
    try:
        found = mutagen.File(path)
    except (mutagen.MutagenError, OSError):
        return None
    if found is None:
        return None
    length = found.info.length
    return round(length * 1000) if length > 0 else None


def recording_names(session: Session, story_id: str) -> list[str]:
    story = resolve(session, StoryRow, story_id, "story")
    return list(
        session.scalars(
            select(AttachmentRow.original_name)
            .where(AttachmentRow.story_id == story.id, AttachmentRow.kind == "audio")
            .order_by(AttachmentRow.id)
        )
    )


def next_number(names: list[str]) -> int:
    numbers = [int(m.group(1)) for n in names if (m := _NUMBERED.match(n))]
    return max(numbers, default=0) + 1


def keep(
    session: Session,
    media: MediaStore,
    recording: Recording,
    *,
    recovered: bool = False,
    source: Path | None = None,
) -> Attachment:
    """Attach the recording (or ``source``, a file made from it) to its story as
    "Recording N.flac". The files in ``recordings/`` stay until the caller's transaction has
    committed (then ``forget``), so a failure here loses nothing."""
    source = source or recording.audio
    number = next_number(recording_names(session, recording.story_id))
    name = f"Recording {number}{' (recovered)' if recovered else ''}{source.suffix}"
    attachment = add_attachment(
        session,
        media,
        recording.story_id,
        source,
        kind=AttachmentKind.AUDIO,
        limit=None,
        original_name=name,
    )
    audit.record(
        session,
        "recording.recovered" if recovered else "recording.kept",
        "story",
        recording.story_id,
        {"sha256": attachment.sha256, "started_at": recording.started_at.isoformat()},
    )
    return attachment


def forget(recording: Recording) -> None:
    """After the attachment has committed: the media store holds the file now."""
    _remove(recording)
    recording.lock_path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Recovered:
    story_id: str
    story_title: str
    attachment: Attachment


@dataclass
class Recovery:
    recovered: list[Recovered]
    #: Leftovers to remove once the transaction has committed: kept ones, empty ones, and
    #: those whose story is gone (its words were deleted on purpose; its voice must not return).
    to_remove: list[Recording]
    #: Leftovers that could not be attached, with the reason; their files stay for another try.
    failed: list[tuple[Recording, str]]


def recover_interrupted(session: Session, media: MediaStore, folder: RecordingsFolder) -> Recovery:
    """Attach what crashes left to their stories, each in a savepoint of its own so one that
    cannot be attached never holds back the others."""
    result = Recovery([], [], [])
    for recording in folder.leftovers():
        try:
            story = resolve(session, StoryRow, recording.story_id, "story")
        except NotFoundError:
            result.to_remove.append(recording)
            continue
        try:
            # The safety copy has everything up to the crash; the encoder's file lacks the
            # last block it held in memory, so it is the fallback.
            source = _spool_as_wav(recording)
            if source is None:
                try:
                    size = recording.audio.stat().st_size
                except FileNotFoundError:
                    size = 0
                if size < MIN_AUDIO_BYTES:
                    result.to_remove.append(recording)
                    continue
                source = recording.audio
            with session.begin_nested():
                attachment = keep(session, media, recording, recovered=True, source=source)
        except StorykeeperError as exc:
            result.failed.append((recording, exc.message))
            continue
        except OSError as exc:
            result.failed.append((recording, f"{exc.strerror or exc} ({exc.filename})"))
            continue
        result.recovered.append(Recovered(story.uuid, story.title, attachment))
        result.to_remove.append(recording)
    return result
