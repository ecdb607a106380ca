"""Report contents for the Word and PDF report tests: small, large, and with awkward text."""

from __future__ import annotations

from storykeeper.core.report_content import (
    AboutStories,
    Cover,
    ReportContent,
    Tally,
    ThemeCounts,
    ThemeDefinition,
    ThemeSection,
    TrendPoint,
    Voice,
)


def sample_report() -> ReportContent:
    """Three themes, one with held-back counts, voices for two of them."""
    transport = ThemeCounts("Transport", 12, 30, None, 45, 40, 0.11)
    friends = ThemeCounts("Friends and family", 27, 6, 8, 41, 39, 0.10)
    money = ThemeCounts("Money", None, 9, None, 11, 11, None)
    return ReportContent(
        cover=Cover("What people told us", "January 2025 to March 2026", "Riverside Voices"),
        about=AboutStories(
            stories=412,
            people=137,
            senders=6,
            first_told="3 January 2025",
            last_told="28 March 2026",
            how_told=(Tally("In person", 300), Tally("By phone", 112)),
            left_out=(Tally("Consent declined", 14), Tally("Consent withdrawn", None)),
        ),
        themes=(transport, friends, money),
        sections=(
            ThemeSection(
                transport,
                trend=(TrendPoint("2025 Q1", 3, 7), TrendPoint("2025 Q2", None, 11)),
                voices=(
                    Voice("The bus stopped coming past the end of our road.", "May 2025", "Home"),
                    Voice("A volunteer drives me to the club now.", "June 2025", "Day centre"),
                ),
            ),
            ThemeSection(friends, trend=(TrendPoint("2025 Q1", 14, None),)),
            ThemeSection(money),
        ),
        definitions=(
            ThemeDefinition("Transport", "Getting about: buses, lifts, taxis, walking."),
            ThemeDefinition("Friends and family", "The people close to them."),
            ThemeDefinition("Money", "Paying for things; benefits."),
        ),
    )


def large_report(theme_count: int = 30, voices_per_theme: int = 3) -> ReportContent:
    """As many themes and voices as a big coordinator's report: 30 themes, 90 voices."""
    themes = tuple(
        ThemeCounts(f"Theme number {n}", 10 + n, 40 - n, n % 4 or None, 60, 50, 0.2)
        for n in range(theme_count)
    )
    sections = tuple(
        ThemeSection(
            theme,
            trend=tuple(TrendPoint(f"2025 Q{q}", q + 5, 9 - q) for q in range(1, 5)),
            voices=tuple(
                Voice(
                    f"Voice {v} on theme {n}: " + "they listened and it helped me a lot. " * 4,
                    "March 2025",
                    "Home",
                )
                for v in range(voices_per_theme)
            ),
        )
        for n, theme in enumerate(themes)
    )
    definitions = tuple(ThemeDefinition(t.name, f"What {t.name} covers.") for t in themes)
    return ReportContent(
        cover=Cover("Every theme", "2025", "Big Network"),
        about=AboutStories(100_000, 31_000, 40, "1 January 2025", "31 December 2025"),
        themes=themes,
        sections=sections,
        definitions=definitions,
    )
