"""Audio recordings: where one is written while it is made, how it is kept, and what a crash
leaves behind.

Nothing of a recording is ever in the data folder in the clear (the store may be encrypted):

- The encoder (``gui/widgets/recording_session.py``, QtMultimedia's FLAC) writes into an
  anonymous file in ``recordings/``: one with no name in any folder (``tempfile.TemporaryFile``:
  O_TMPFILE on Linux), which the operating system frees when the program closes it or dies. A
  copy of the folder never holds it. It must be a real, seekable file: FFmpeg goes back to the
  start to write the FLAC's length when the recording ends, and a Python QIODevice cannot take
  binary writes in PySide6 (its ``writeData`` is handed text, cut at the first zero byte). On a
  normal stop ``keep`` reads it back into the media store, sealed, and attaches it to the story
  as "Recording N.flac".
- The safety copy: the microphone's samples as raw 16-bit PCM, appended as they arrive to
  ``<id>.pcm``, a ``SealedLog`` (each append one sealed record, key purpose "recordings"). A
  crash loses the encoder's file with the process, so the safety copy is what
  ``recover_interrupted`` attaches the next time the program starts, read back as a WAV file
  (header and samples streamed straight into the media store: no decrypted copy is written). A
  kill mid-append tears at most the last record, which reading drops.
- ``<id>.json`` beside it names the story (ids and times only, no words).

A recording being made holds a lock on ``<id>.lock`` (released by the operating system if the
process dies), so a second copy of the program never takes it for a crash's leftover.

An older version wrote the FLAC and the safety copy in the clear; a crash's leftovers from it
(``<id>.flac``, a plain ``<id>.pcm``) are still recovered, and removed once kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import struct
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import mutagen
from filelock import FileLock, Timeout
from sqlalchemy import select
from sqlalchemy.orm import Session

from storykeeper.core import audit, clock
from storykeeper.core.attachments import Attachment, MediaStore, add_recording_stream
from storykeeper.core.errors import NotFoundError, StorykeeperError
from storykeeper.core.ids import resolve
from storykeeper.core.models import AttachmentRow, StoryRow
from storykeeper.core.sealed_files import LOG_MAGIC, SealedFileError, SealedLog

#: The suffix of a recording's files' shared name, and of the recording kept.
SUFFIX = ".flac"
#: "Recording 3.flac", "Recording 4 (recovered).wav": the number is what marks refer to.
_NUMBERED = re.compile(r"^Recording (\d+)\b")
#: Smaller than this, a leftover holds no audio: FLAC's header and STREAMINFO alone are 42 bytes,
#: and the first frame of a second of speech is far larger.
MIN_AUDIO_BYTES = 1024
#: A plain store (one whose owner asked for no encryption) has no recordings key; its safety
#: copy is still a sealed log, with this public all-zero key, so that one format and one reading
#: serve both kinds of store. It claims no secrecy: that store keeps its media in the clear too.
PLAIN_STORE_KEY = bytes(32)
#: The safety copy is pushed to the disk itself (fsync) at most this often; each append reaches
#: the operating system at once, so a kill of the program alone loses nothing.
SYNC_EVERY_S = 1.0


class EncodedFile:
    """The encoder's output while a recording is made: an anonymous file (see the module's
    note), gone when closed or when the process dies."""

    def __init__(self, folder: Path) -> None:
        self._file = tempfile.TemporaryFile(dir=folder, buffering=0)  # noqa: SIM115 - kept open

    def fileno(self) -> int:
        return self._file.fileno()

    def open(self) -> BinaryIO:
        """The whole file from its start, as a file of its own (the encoder's stays open)."""
        stream = os.fdopen(os.dup(self._file.fileno()), "rb")
        stream.seek(0)
        return stream

    def close(self) -> None:
        self._file.close()


@dataclass(frozen=True)
class Recording:
    """A recording being made, or one a crash left."""

    id: str
    story_id: str
    #: The name its files share (``<id>.flac``; only an older version wrote a file under it).
    audio: Path
    started_at: dt.datetime
    #: The safety copy's samples per second and channels, once it has begun.
    spool_rate: int = 0
    spool_channels: int = 0
    #: The encoder's file, while the recording is under way in this process.
    encoded: EncodedFile | None = field(default=None, compare=False)

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

    def __init__(self, recording: Recording, lock: FileLock, key: bytes) -> None:
        self.recording = recording
        self._lock = lock
        self._key = key
        self._spool: SealedLog | None = None
        self._synced_at = 0.0

    def start_spool(self, rate: int, channels: int) -> None:
        """Begin the safety copy: 16-bit PCM at ``rate`` and ``channels``."""
        self.recording = Recording(
            self.recording.id,
            self.recording.story_id,
            self.recording.audio,
            self.recording.started_at,
            rate,
            channels,
            self.recording.encoded,
        )
        _write_sidecar(self.recording)
        self._spool = SealedLog.append_to(self._key, self.recording.spool)
        self.recording.spool.chmod(0o600)
        self._synced_at = time.monotonic()

    def spool(self, samples: bytes) -> None:
        """Add samples to the safety copy: with the operating system at once (a crash of the
        program keeps all written so far), on the disk within ``SYNC_EVERY_S``."""
        if self._spool is not None:
            self._spool.append(samples)
            if time.monotonic() - self._synced_at >= SYNC_EVERY_S:
                self._spool.flush()
                self._synced_at = time.monotonic()

    def close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    @property
    def audio(self) -> Path:
        return self.recording.audio

    @property
    def encoded(self) -> EncodedFile:
        """The encoder's file (it is made with the recording)."""
        assert self.recording.encoded is not None
        return self.recording.encoded

    def release(self) -> None:
        """Let go of the lock and leave the safety copy for ``recover_interrupted``; the
        encoder's file goes (the safety copy has everything in it)."""
        self.close_spool()
        if self.recording.encoded is not None:
            self.recording.encoded.close()
        self._lock.release()

    def abandon(self) -> None:
        """Nothing worth keeping was recorded: remove the files."""
        self.close_spool()
        if self.recording.encoded is not None:
            self.recording.encoded.close()
        _remove(self.recording)
        self._lock.release()
        self.recording.lock_path.unlink(missing_ok=True)


class RecordingsFolder:
    """``recordings/`` of one data folder; ``key`` is the store's for "recordings" (None: a
    plain store, see ``PLAIN_STORE_KEY``)."""

    def __init__(self, root: Path, key: bytes | None = None) -> None:
        self.root = root
        self.key = PLAIN_STORE_KEY if key is None else key

    def begin(self, story_id: str) -> ActiveRecording:
        """Claim a new recording. ``story_id`` is the story's full id."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        recording = Recording(
            id=str(uuid.uuid4()),
            story_id=story_id,
            audio=self.root / f"{uuid.uuid4()}{SUFFIX}",
            started_at=clock.now(),
        )
        lock = FileLock(recording.lock_path, mode=0o600)
        lock.acquire(timeout=0)
        try:
            _write_sidecar(recording)
            recording = Recording(
                recording.id,
                recording.story_id,
                recording.audio,
                recording.started_at,
                encoded=EncodedFile(self.root),
            )
        except BaseException:
            recording.sidecar.unlink(missing_ok=True)
            lock.release()
            recording.lock_path.unlink(missing_ok=True)
            raise
        return ActiveRecording(recording, lock, self.key)

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


def _wav_header(data_bytes: int, rate: int, channels: int) -> bytes:
    """A canonical 44-byte WAV header for ``data_bytes`` of 16-bit PCM."""
    block = 2 * channels
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_bytes,
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        channels,
        rate,
        rate * block,
        block,
        16,
        b"data",
        data_bytes,
    )


class _Concatenated:
    """A read-only stream over a header and then pieces, stopping after ``size`` bytes in all."""

    def __init__(self, header: bytes, pieces: Iterator[bytes], size: int) -> None:
        self._pending = bytearray(header)
        self._pieces = pieces
        self._left = size

    def read(self, size: int = -1) -> bytes:
        want = self._left if size < 0 else min(size, self._left)
        while len(self._pending) < want:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._pending += piece
        out = bytes(self._pending[:want])
        del self._pending[:want]
        self._left -= len(out)
        return out


def _plain_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            yield chunk


def _spool_key(spool: Path, key: bytes) -> bytes:
    """``key``, or the plain store's when the safety copy was begun before the store was
    converted to an encrypted one (a crash, then the conversion, then this start)."""
    if key == PLAIN_STORE_KEY:
        return key
    try:
        SealedLog.inspect(PLAIN_STORE_KEY, spool)
    except SealedFileError:
        return key
    return PLAIN_STORE_KEY


def _spool_as_wav(recording: Recording, key: bytes) -> BinaryIO | None:
    """The safety copy read back as a WAV file (a stream: nothing is written), or None when it
    holds too little to keep. A plain ``.pcm`` is an older version's safety copy."""
    if recording.spool_rate <= 0 or recording.spool_channels <= 0:
        return None
    try:
        with recording.spool.open("rb") as head:
            sealed = head.read(len(LOG_MAGIC)) == LOG_MAGIC
        if sealed:
            key = _spool_key(recording.spool, key)
            size = SealedLog.inspect(key, recording.spool).plaintext_bytes
            pieces = SealedLog.read_all(key, recording.spool)
        else:
            size = recording.spool.stat().st_size
            pieces = _plain_chunks(recording.spool)
    except FileNotFoundError:
        return None
    frame = 2 * recording.spool_channels
    if size < MIN_AUDIO_BYTES:
        return None
    size -= size % frame  # a sample cut in half by the crash is left out
    header = _wav_header(size, recording.spool_rate, recording.spool_channels)
    return _Concatenated(header, pieces, len(header) + size)  # type: ignore[return-value]


def duration_ms(source: Path | BinaryIO) -> int | None:
    """The length a FLAC's STREAMINFO (or a WAV's header) gives, or None when it does not say
    (an encoder's file a crash cut short says 0 samples). ``source``: a file's path, or a
    seekable stream (a sealed file's plaintext, ``MediaStore.open``)."""
    try:
        if not isinstance(source, Path):
            source.seek(0)  # mutagen reads the header from where the stream is
        found = mutagen.File(source)
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
    source: BinaryIO | None = None,
    suffix: str = SUFFIX,
) -> Attachment:
    """Attach the recording (its encoder's file; or ``source``, a stream made from it, whose
    format ``suffix`` names) to its story as "Recording N.flac", sealed in an encrypted store.
    The files in ``recordings/`` stay until the caller's transaction has committed (then
    ``forget``), so a failure here loses nothing."""
    number = next_number(recording_names(session, recording.story_id))
    name = f"Recording {number}{' (recovered)' if recovered else ''}{suffix}"
    if source is None:
        if recording.encoded is None:
            raise StorykeeperError("This recording's sound is no longer here to keep.")
        with recording.encoded.open() as encoded:
            attachment = add_recording_stream(session, media, recording.story_id, encoded, name)
    else:
        attachment = add_recording_stream(session, media, recording.story_id, source, name)
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
            # The safety copy has everything up to the crash; an older version's encoder file
            # (this version's goes with the process) is the fallback.
            wav = _spool_as_wav(recording, folder.key)
            if wav is not None:
                with session.begin_nested():
                    attachment = keep(
                        session, media, recording, recovered=True, source=wav, suffix=".wav"
                    )
            else:
                try:
                    size = recording.audio.stat().st_size
                except FileNotFoundError:
                    size = 0
                if size < MIN_AUDIO_BYTES:
                    result.to_remove.append(recording)
                    continue
                with recording.audio.open("rb") as audio, session.begin_nested():
                    attachment = keep(session, media, recording, recovered=True, source=audio)
        except StorykeeperError as exc:
            result.failed.append((recording, exc.message))
            continue
        except OSError as exc:
            result.failed.append((recording, f"{exc.strerror or exc} ({exc.filename})"))
            continue
        result.recovered.append(Recovered(story.uuid, story.title, attachment))
        result.to_remove.append(recording)
    return result
