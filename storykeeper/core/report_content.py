"""What a printable report says, as plain values: the one model the Word and PDF writers share.

The insight code fills it; the writers only lay it out. Everything in it may leave the program
as it is: the caller has already applied consent (no names, quotes only where consent allows
them) and the disclosure rule (a count below the threshold arrives as ``None``, and is printed
as "fewer than 5"). The writers add nothing but the section headings and the words that say
what a number is, so a report never holds more than the caller gave it.

No Qt and no database here: the Word report is written by the core (``report_docx``), the PDF
by the window's ``gui/report_pdf``; both import this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storykeeper.core.atomic_files import FileWriteError, atomic_file

#: Below this many, a count that leaves the program is shown as "fewer than 5".
DEFAULT_THRESHOLD = 5

# Characters a Word document (XML 1.0) cannot hold, and the other invisible controls a page
# would show as boxes; a tab or a line break stays.
_UNPRINTABLE = re.compile("[^\t\n\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


#: The report could not be written where asked (one plain sentence).
ReportWriteError = FileWriteError
#: A temporary file beside the target, renamed over it only once whole.
atomic_target = atomic_file


@dataclass(frozen=True)
class Cover:
    title: str
    period: str  # as it is to be printed: "January 2025 to March 2026"
    organisation: str


@dataclass(frozen=True)
class Tally:
    """A labelled count: one way stories were told, or one reason stories were left out."""

    label: str
    count: int | None


@dataclass(frozen=True)
class AboutStories:
    """How many stories the numbers come from, and what was left out and why."""

    stories: int | None
    people: int | None
    senders: int | None
    first_told: str  # date labels, as printed
    last_told: str
    how_told: tuple[Tally, ...] = ()
    left_out: tuple[Tally, ...] = ()


@dataclass(frozen=True)
class ThemeCounts:
    """One theme's row of the table: stories by polarity, stories and people mentioning it, and
    the share of all counted stories that mention it (0 to 1; ``None`` when held back)."""

    name: str
    enablers: int | None
    barriers: int | None
    mixed: int | None
    stories: int | None
    people: int | None
    share: float | None


@dataclass(frozen=True)
class TrendPoint:
    period: str  # "2025 Q3", "March 2026"
    enablers: int | None
    barriers: int | None


@dataclass(frozen=True)
class Voice:
    """A few of a person's own words, already pseudonymised and redacted as an export would."""

    excerpt: str
    told: str  # date label
    setting: str


@dataclass(frozen=True)
class ThemeSection:
    counts: ThemeCounts
    trend: tuple[TrendPoint, ...] = ()
    voices: tuple[Voice, ...] = ()


@dataclass(frozen=True)
class ThemeDefinition:
    name: str
    definition: str


@dataclass(frozen=True)
class ReportContent:
    """The whole report. ``themes`` is the table and the chart, in the order shown (the caller
    orders them, usually by how often they are mentioned)."""

    cover: Cover
    about: AboutStories
    themes: tuple[ThemeCounts, ...]
    sections: tuple[ThemeSection, ...] = ()
    definitions: tuple[ThemeDefinition, ...] = ()
    threshold: int = DEFAULT_THRESHOLD

    def count_words(self, count: int | None) -> str:
        return count_words(count, self.threshold)

    def share_words(self, share: float | None) -> str:
        return share_words(share, self.threshold)

    def chart_description(self) -> str:
        """The chart's alternative text: what it shows and every number in it, in words, so a
        reader who cannot see the picture loses nothing."""
        if not self.themes:
            return "Enablers and barriers by theme: no stories to count."
        parts = [
            f"{theme.name}: {self.count_words(theme.enablers)} enablers, "
            f"{self.count_words(theme.barriers)} barriers, {self.count_words(theme.mixed)} mixed"
            for theme in self.themes
        ]
        return (
            "Bar chart of enablers and barriers by theme, barriers to the left of the axis and "
            "enablers to the right, mixed as a thin bar beneath. " + "; ".join(parts) + "."
        )


# The words the writers add: the headings and the tables' header rows, the same in both.
ABOUT_HEADING = "About these stories"
HOW_TOLD_HEADING = "How they were told"
LEFT_OUT_HEADING = "What was left out, and why"
CHART_HEADING = "Enablers and barriers by theme"
TABLE_HEADING = "The numbers in the chart"
SECTIONS_HEADING = "Theme by theme"
TREND_HEADING = "Over time"
VOICES_HEADING = "In their words"
DEFINITIONS_HEADING = "The themes and what they mean"
THEME_TABLE_HEADER = (
    "Theme",
    "Enablers",
    "Barriers",
    "Mixed",
    "Stories",
    "People",
    "Share of stories",
)
HOW_TOLD_HEADER = ("How told", "Stories")
LEFT_OUT_HEADER = ("Why", "Stories")
TREND_HEADER = ("Period", "Enablers", "Barriers")
DEFINITIONS_HEADER = ("Theme", "What it means")
NOTHING_LEFT_OUT = "No stories were left out."
NO_VOICES = "No words can be quoted for this theme: consent does not allow it, or none fit."
NO_TREND = "No dates to show a trend."


def about_lines(content: ReportContent) -> list[str]:
    """The opening facts of "About these stories", one line each."""
    about, words = content.about, content.count_words
    lines = [
        f"Stories counted: {words(about.stories)}",
        f"People who told them: {words(about.people)}",
        f"Senders: {words(about.senders)}",
    ]
    if about.first_told and about.last_told:  # no stories counted, no dates to give
        lines.append(f"Told between {about.first_told} and {about.last_told}")
    return lines


def tally_rows(content: ReportContent, tallies: tuple[Tally, ...]) -> list[tuple[str, str]]:
    return [(tally.label, content.count_words(tally.count)) for tally in tallies]


def theme_row(content: ReportContent, theme: ThemeCounts) -> tuple[str, ...]:
    words = content.count_words
    return (
        theme.name,
        words(theme.enablers),
        words(theme.barriers),
        words(theme.mixed),
        words(theme.stories),
        words(theme.people),
        content.share_words(theme.share),
    )


def theme_summary(content: ReportContent, theme: ThemeCounts) -> str:
    """A section's opening sentence: the theme's numbers in words."""
    words = content.count_words
    return (
        f"Enablers: {words(theme.enablers)}. Barriers: {words(theme.barriers)}. "
        f"Mixed: {words(theme.mixed)}. Mentioned in {words(theme.stories)} stories "
        f"({content.share_words(theme.share)} of those counted), "
        f"told by {words(theme.people)} people."
    )


def trend_rows(content: ReportContent, trend: tuple[TrendPoint, ...]) -> list[tuple[str, ...]]:
    words = content.count_words
    return [(point.period, words(point.enablers), words(point.barriers)) for point in trend]


def voice_caption(voice: Voice) -> str:
    return f"Told {voice.told} — {voice.setting}"


def count_words(count: int | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A count as printed: held back below the threshold, it says so instead of a number."""
    return f"fewer than {threshold}" if count is None else f"{count:,}"


def share_words(share: float | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    if share is None:
        return f"not shown (fewer than {threshold} stories)"
    percent = share * 100
    if 0 < percent < 1:
        return "less than 1%"
    return f"{percent:.0f}%"


def printable(text: str) -> str:
    """``text`` without the control characters a document cannot hold or a page would show as
    boxes (a stray one in a story must never stop the report)."""
    return _UNPRINTABLE.sub("", text)
