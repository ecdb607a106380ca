"""The easy-read wording and pictures of the consent flow, adaptable by an organisation.

The wording ships in ``resources/consent/<language>.json`` (installed as
``storykeeper.resources.consent``). An organisation adapts it by putting its own copy at
``<data folder>/consent/<language>.json``: whatever that copy says wins, anything it leaves out
comes from the shipped wording, so an update that adds a sentence never leaves a gap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storykeeper.core import resources
from storykeeper.core.errors import ValidationError
from storykeeper.core.vocabulary import ConsentBasis, ConsentScope

FORMAT = 1


@dataclass(frozen=True)
class ScopeText:
    question: str
    explain: str
    picture: Path
    #: The use in the third person, for asking someone who decides for the person:
    #: "we give {name}’s story to the coordinator" (``{name}``: the person's name).
    about: str = ""
    #: ``explain`` in the third person, for the same.
    explain_other: str = ""


@dataclass(frozen=True)
class Choice:
    """One answer a person can pick, in words and as a picture."""

    text: str
    picture: Path


@dataclass(frozen=True)
class Page:
    title: str
    text: str


@dataclass(frozen=True)
class CopyText:
    """The wording of the printed copy the person keeps. ``{date}`` is filled in."""

    title: str
    intro: str
    decided: str
    #: ``{name}``: the storyteller's name; ``{title}``: the story's title.
    for_: str
    story: str
    who: str
    conditions: str
    review: str
    withdrawn: str
    declined: str
    none: str
    change: str


@dataclass(frozen=True)
class WithdrawText:
    """The easy-read steps of taking consent back."""

    intro: Page
    which: Page
    everything: str
    some: str
    scopes: Page
    who: Page
    check: Page
    #: Said on the last step when everything is taken back.
    all_stops: str
    #: Heads the list of uses taken back, when only some are.
    stops: str


@dataclass(frozen=True)
class ConsentText:
    intro: Page
    intro_picture: Path
    scopes: Mapping[ConsentScope, ScopeText]
    yes: Choice
    no: Choice
    #: Said when the person does not want the story shared: the other questions are skipped.
    stays_here: str
    basis_title: str
    basis: Mapping[ConsentBasis, Choice]
    best_interests: Page
    how: Page
    review: Page
    check: Page
    done: Page
    copy: CopyText
    withdraw: WithdrawText
    #: How a use is asked of someone deciding for the person, by basis (``{name}``, ``{about}``);
    #: a basis not here asks the person their own question.
    asking: Mapping[ConsentBasis, str] = field(default_factory=dict)
    #: "Thank you" when someone else decided for the person: their choices were not theirs.
    done_for_you: str = ""


def shipped_folder() -> Path:
    """The shipped consent wording: inside the installed package, or in a source checkout."""
    return resources.shipped_folder("consent")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"The consent wording in {path} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg}). Fix it, or remove the file to use the standard wording."
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"The consent wording in {path} is not UTF-8 text. Save it as UTF-8."
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(f"The consent wording in {path} must be a JSON object.")
    if data.get("format", FORMAT) != FORMAT:
        raise ValidationError(
            f"The consent wording in {path} is format {data.get('format')}; this Storykeeper "
            f"reads format {FORMAT}."
        )
    return data


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        elif isinstance(value, str) == isinstance(base.get(key), str) or key not in base:
            merged[key] = value
    return merged


def load_consent_text(language: str = "en", data_dir: Path | None = None) -> ConsentText:
    """The wording for ``language`` (English when there is none), with the organisation's own."""
    shipped = shipped_folder()
    base_file = shipped / f"{language}.json"
    if not base_file.is_file():
        base_file = shipped / "en.json"
    data = _read(base_file)
    pictures = shipped / "pictures"
    if data_dir is not None:
        own = data_dir / "consent" / f"{language}.json"
        if own.is_file():
            data = _merge(data, _read(own))
            if (own.parent / "pictures").is_dir():
                pictures = own.parent / "pictures"

    def picture(name: str) -> Path:
        chosen = pictures / name
        return chosen if chosen.is_file() else shipped / "pictures" / name

    def page_of(words: dict[str, str]) -> Page:
        return Page(title=words["title"], text=words["text"])

    def page(key: str) -> Page:
        return page_of(data[key])

    withdraw = data["withdraw"]

    scopes, answers, basis = data["scopes"], data["answers"], data["basis"]
    return ConsentText(
        intro=page("intro"),
        intro_picture=picture(data["intro"]["picture"]),
        scopes={
            scope: ScopeText(
                question=scopes[scope.value]["question"],
                explain=scopes[scope.value]["explain"],
                picture=picture(scopes[scope.value]["picture"]),
                about=scopes[scope.value].get("about", ""),
                explain_other=scopes[scope.value].get("explain_other", ""),
            )
            for scope in ConsentScope
        },
        yes=Choice(answers["yes"], picture(answers["yes_picture"])),
        no=Choice(answers["no"], picture(answers["no_picture"])),
        stays_here=data["stays_here"],
        basis_title=basis["title"],
        basis={
            b: Choice(basis[b.value]["text"], picture(basis[b.value]["picture"]))
            for b in ConsentBasis
        },
        best_interests=page("best_interests"),
        how=page("how"),
        review=page("review"),
        check=page("check"),
        done=page("done"),
        copy=CopyText(**{f: data["copy"][f.rstrip("_")] for f in CopyText.__dataclass_fields__}),
        asking={b: data["asking"][b.value] for b in ConsentBasis if b.value in data["asking"]},
        done_for_you=data["done_for_you"],
        withdraw=WithdrawText(
            intro=page_of(withdraw["intro"]),
            which=page_of(withdraw["which"]),
            everything=withdraw["everything"],
            some=withdraw["some"],
            scopes=page_of(withdraw["scopes"]),
            who=page_of(withdraw["who"]),
            check=page_of(withdraw["check"]),
            all_stops=withdraw["all_stops"],
            stops=withdraw["stops"],
        ),
    )
