"""The benchmark's stores: demo data plus synthetic media, built once and cached.

A store is built by ``storykeeper demo-data`` (the command line, as a person would: encrypted,
or plain with ``--plain-store``), then given
media through the core API as the window would add them: for stories whose consent lets them go
to the coordinator, a new consent version that also allows ``share_media`` and one attachment of
random bytes each. Built stores are kept in the work folder, keyed by everything that shapes
them (size, seed, media, schema), and never measured directly: each run works on a copy, so an
export's ledger or a window's settings never leak into the next run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks.opening import building_environment, keep_key_in_keyring, open_data_folder
from benchmarks.process import progress, run_measured
from storykeeper.core import consent
from storykeeper.core.attachments import add_attachment
from storykeeper.core.consent import AGREEING, ConsentInput, ConsentRecord, allows_sharing
from storykeeper.core.db import head_revision
from storykeeper.core.models import StoryRow
from storykeeper.core.vocabulary import ConsentScope

MEDIA_PER_STORIES = 10
MEDIA_CAP = 1000
MEDIA_SIZE = 1_000_000
#: Stories given media per write transaction.
MEDIA_BATCH = 50
BUILT = "built.json"
#: The kinds of store measured side by side (issue 19): the default first.
ENCRYPTED = "encrypted"
PLAIN = "plain"
KINDS = (ENCRYPTED, PLAIN)


def default_media_count(stories: int) -> int:
    """One story in ten gets a file, at most 1,000 (so 1,000 files at 10,000 stories)."""
    return min(MEDIA_CAP, stories // MEDIA_PER_STORIES)


@dataclass(frozen=True)
class StoreSpec:
    stories: int
    seed: int
    media_count: int
    media_size: int
    #: ENCRYPTED (SQLCipher, sealed media, key in the keyring) or PLAIN (``--plain-store``).
    kind: str = ENCRYPTED

    def key(self) -> str:
        # The schema is part of the key: a store built by an older program would be upgraded
        # (with a backup) on the first measured launch, and that launch would be timed.
        return (
            f"stories{self.stories}-seed{self.seed}-media{self.media_count}x{self.media_size}"
            f"-schema{head_revision()}-{self.kind}"
        )


def cached_store(work: Path, spec: StoreSpec, sk: list[str], rebuild: bool) -> tuple[Path, dict]:
    """The built store for ``spec`` (building it if need be) and how it was built."""
    final = work / "stores" / spec.key()
    if rebuild and final.exists():
        shutil.rmtree(final)
    if (final / BUILT).exists():
        built = json.loads((final / BUILT).read_text())
        progress(f"{spec.stories:,} stories: using the store built earlier in {final}")
        keep_key_in_keyring(final)
        return final, {**built, "cached": True}
    partial = final.with_name(final.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    progress(
        f"{spec.stories:,} stories, {spec.kind}: storykeeper demo-data (about 40 s at 100,000)…"
    )
    demo = run_measured(
        [
            *sk,
            "--data-dir",
            partial,
            *(["--plain-store"] if spec.kind == PLAIN else []),
            "demo-data",
            "--stories",
            spec.stories,
            "--seed",
            spec.seed,
        ],
        env=building_environment(plain=spec.kind == PLAIN),
    )
    progress(
        f"{spec.stories:,} stories: demo-data took {demo.seconds:.1f} s; attaching "
        f"{spec.media_count:,} files of {spec.media_size:,} bytes…"
    )
    media = add_media(partial, spec, work)
    built = {
        "spec": asdict(spec),
        "demo_data": demo.record(),
        "media": media,
        "database_bytes": (partial / "storykeeper.sqlite3").stat().st_size,
    }
    (partial / BUILT).write_text(json.dumps(built, indent=2))
    partial.rename(final)
    return final, {**built, "cached": False}


def working_copy(store: Path, target: Path) -> Path:
    """A copy of a built store to measure on; media are hard links (they are never changed)."""
    shutil.copytree(store, target, ignore=shutil.ignore_patterns("media", "logs", "backups"))
    shutil.copytree(store / "media", target / "media", copy_function=os.link)
    return target


def _with_media(current: ConsentRecord) -> ConsentInput:
    """The same decision again, now also allowing audio and photos to be shared."""
    return ConsentInput(
        decision=current.decision,
        basis=current.basis,
        decided_by=current.decided_by,
        method=current.method,
        scopes=current.scopes | {ConsentScope.SHARE_MEDIA},
        persons_words=current.persons_words,
        conditions=current.conditions,
        capacity_notes=current.capacity_notes,
        witness_id=current.witness_id,
        consulted=current.consulted,
        advocate_involved=current.advocate_involved,
        best_interests_reasons=current.best_interests_reasons,
    )


def _may_share(session: Session, story_id: str) -> bool:
    current = consent.current_consent(session, story_id)
    return current is not None and allows_sharing(current.decision, current.scopes)


def add_media(data_dir: Path, spec: StoreSpec, work: Path) -> dict[str, Any]:
    """Attach ``spec.media_count`` files of random bytes to stories that may be shared."""
    rng = random.Random(f"storykeeper-benchmark-media-{spec.seed}")
    consent_versions = 0
    with open_data_folder(data_dir) as store:
        with store.read() as session:
            candidates = list(
                session.scalars(
                    select(StoryRow.uuid)
                    .where(StoryRow.consent_state.in_([d.value for d in AGREEING]))
                    .order_by(StoryRow.id)
                )
            )
            rng.shuffle(candidates)
            picked = list(
                islice((s for s in candidates if _may_share(session, s)), spec.media_count)
            )
        if len(picked) < spec.media_count:
            progress(f"only {len(picked)} stories may be shared: attaching {len(picked)} files")
        media = store.media
        with tempfile.TemporaryDirectory(dir=work) as scratch:
            for start in range(0, len(picked), MEDIA_BATCH):
                with store.write(actor="benchmarks") as session:
                    for number, story_id in enumerate(picked[start : start + MEDIA_BATCH], start):
                        current = consent.current_consent(session, story_id)
                        assert current is not None
                        if ConsentScope.SHARE_MEDIA not in current.scopes:
                            consent.record_consent(session, story_id, _with_media(current))
                            consent_versions += 1
                        # Half audio recordings, half photos: both leave only with share_media.
                        name = (
                            f"recording-{number:05d}.flac"
                            if number % 2
                            else f"photo-{number:05d}.jpg"
                        )
                        source = Path(scratch) / name
                        source.write_bytes(rng.randbytes(spec.media_size))
                        add_attachment(session, media, story_id, source)
                        source.unlink()
                done = min(start + MEDIA_BATCH, len(picked))
                if done % 500 == 0 or done == len(picked):
                    progress(f"  {done:,} of {len(picked):,} files attached")
    return {
        "files": len(picked),
        "bytes_each": spec.media_size,
        "consent_versions_added": consent_versions,
    }
