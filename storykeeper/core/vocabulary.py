"""The product's fixed vocabulary (PRODUCT.md), as enums with the words people see.

Values are what is stored and exported, so they never change once released; labels may be
reworded or translated freely.
"""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    """A stored value with a human label (from ``_LABELS``).

    Each subclass's docstring is the noun used in messages ("… is not a known polarity"), which
    keeps the noun beside the values without becoming an enum member itself.
    """

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]

    @classmethod
    def parse(cls, text: str) -> Vocabulary:
        """Accept a stored value or its label, in any case, spaces or dashes for underscores."""
        wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if wanted in (member.value, member.label.lower().replace(" ", "_")):
                return member
        choices = ", ".join(cls.values())
        from storykeeper.core.errors import ValidationError

        raise ValidationError(f"“{text}” is not a known {cls.__doc__}; choose one of: {choices}.")


class AgeBand(Vocabulary):
    """age band"""

    UNDER_18 = "under_18"
    AGE_18_39 = "18_39"
    AGE_40_64 = "40_64"
    AGE_65_79 = "65_79"
    AGE_80_PLUS = "80_plus"


class Communication(Vocabulary):
    """communication preference"""

    SPEAKING = "speaking"
    WRITING = "writing"
    PICTURES = "pictures"
    SIGN_LANGUAGE = "sign_language"
    WITH_SUPPORT = "with_support"


class SupporterRole(Vocabulary):
    """supporter role"""

    INDEPENDENT_ADVOCATE = "independent_advocate"
    IMCA = "imca"
    CARE_WORKER = "care_worker"
    FAMILY_CARER = "family_carer"
    FRIEND = "friend"
    OTHER_PROFESSIONAL = "other_professional"
    #: A supporter who came in a bundle, which carries names only.
    NOT_RECORDED = "not_recorded"


class Setting(Vocabulary):
    """setting"""

    HOME = "home"
    CARE_HOME = "care_home"
    DAY_CENTRE = "day_centre"
    HOSPITAL = "hospital"
    COMMUNITY = "community"
    OTHER = "other"


class HowTold(Vocabulary):
    """way the story was told"""

    OWN_WORDS_WRITTEN = "own_words_written"
    SPOKEN_WRITTEN_DOWN = "spoken_written_down"
    SPOKEN_AUDIO_RECORDED = "spoken_audio_recorded"
    PROXY_ACCOUNT = "proxy_account"


class StoryStatus(Vocabulary):
    """story status"""

    DRAFT = "draft"
    FINAL = "final"


class Polarity(Vocabulary):
    """polarity"""

    ENABLER = "enabler"
    BARRIER = "barrier"
    MIXED = "mixed"


class ConsentDecision(Vocabulary):
    """consent decision"""

    GIVEN = "given"
    GIVEN_WITH_CONDITIONS = "given_with_conditions"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class ConsentBasis(Vocabulary):
    """basis for the decision"""

    OWN_CONSENT = "own_consent"
    SUPPORTED_DECISION = "supported_decision"
    LASTING_POWER_OF_ATTORNEY = "lasting_power_of_attorney"
    DEPUTY = "deputy"
    BEST_INTERESTS = "best_interests"


class ConsentMethod(Vocabulary):
    """way consent was obtained"""

    VERBAL = "verbal"
    SIGNED_FORM = "signed_form"
    EASY_READ_FORM = "easy_read_form"
    AUDIO_RECORDED = "audio_recorded"
    OBSERVED_ASSENT = "observed_assent"
    OTHER = "other"


class ConsentScope(Vocabulary):
    """consent scope"""

    #: Recording the person's voice on this computer while they tell the story. It lets nothing
    #: leave: what leaves is decided by ``share_with_coordinator`` and ``share_media`` alone.
    #: First, because the consent flow asks it first: it is about now, not about the story's uses.
    RECORD_AUDIO = "record_audio"
    SHARE_WITH_COORDINATOR = "share_with_coordinator"
    ANONYMISED_IN_REPORTS = "anonymised_in_reports"
    QUOTE_ANONYMISED = "quote_anonymised"
    PUBLISH_WITH_NAME = "publish_with_name"
    SHARE_MEDIA = "share_media"


class ConsentState(Vocabulary):
    """consent state"""

    NONE = "none"
    GIVEN = "given"
    GIVEN_WITH_CONDITIONS = "given_with_conditions"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Ability(Vocabulary):
    """answer to a functional question of a capacity assessment"""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"


class CapacityOutcome(Vocabulary):
    """outcome of a capacity assessment"""

    HAS_CAPACITY = "has_capacity"
    LACKS_CAPACITY = "lacks_capacity"


class PracticableStep(Vocabulary):
    """practicable step taken to help the person decide"""

    #: Mental Capacity Act 2005 s.1(3): nobody is treated as unable to decide until all
    #: practicable steps to help them have been taken without success.
    OTHER_FORM = "other_form"
    BETTER_TIME = "better_time"
    TRUSTED_PERSON = "trusted_person"
    OTHER = "other"


class AttachmentKind(Vocabulary):
    """attachment kind"""

    AUDIO = "audio"
    PHOTO = "photo"
    DOCUMENT = "document"


class TombstoneReason(Vocabulary):
    """reason a story is gone"""

    DELETED = "deleted"
    WITHDRAWN = "withdrawn"


_LABELS: dict[str, dict[str, str]] = {
    "AgeBand": {
        "under_18": "Under 18",
        "18_39": "18 to 39",
        "40_64": "40 to 64",
        "65_79": "65 to 79",
        "80_plus": "80 or over",
    },
    "Communication": {
        "speaking": "Speaking",
        "writing": "Writing",
        "pictures": "Pictures",
        "sign_language": "Sign language",
        "with_support": "With support",
    },
    "SupporterRole": {
        "independent_advocate": "Independent advocate",
        "imca": "IMCA",
        "care_worker": "Care worker",
        "family_carer": "Family carer",
        "friend": "Friend",
        "other_professional": "Other professional",
        "not_recorded": "Not recorded",
    },
    "Setting": {
        "home": "Home",
        "care_home": "Care home",
        "day_centre": "Day centre",
        "hospital": "Hospital",
        "community": "Community",
        "other": "Other",
    },
    "HowTold": {
        "own_words_written": "Written by the person",
        "spoken_written_down": "Spoken and written down",
        "spoken_audio_recorded": "Spoken and audio-recorded",
        "proxy_account": "Proxy account by someone else",
    },
    "StoryStatus": {"draft": "Draft", "final": "Final"},
    "Polarity": {"enabler": "Enabler", "barrier": "Barrier", "mixed": "Mixed"},
    "ConsentDecision": {
        "given": "Given",
        "given_with_conditions": "Given with conditions",
        "declined": "Declined",
        "withdrawn": "Withdrawn",
    },
    "ConsentBasis": {
        "own_consent": "The person’s own consent",
        "supported_decision": "The person, with support",
        "lasting_power_of_attorney": "Lasting power of attorney",
        "deputy": "Court-appointed deputy",
        "best_interests": "Best-interests decision",
    },
    "ConsentMethod": {
        "verbal": "Verbal",
        "signed_form": "Signed form",
        "easy_read_form": "Easy-read form",
        "audio_recorded": "Audio-recorded",
        "observed_assent": "Observed non-verbal assent",
        "other": "Other",
    },
    "ConsentScope": {
        "record_audio": "Record their voice",
        "share_with_coordinator": "Share with the coordinator",
        "anonymised_in_reports": "Count anonymously in reports",
        "quote_anonymised": "Quote without the name",
        "publish_with_name": "Publish with the name",
        "share_media": "Share audio and photos",
    },
    "ConsentState": {
        "none": "No consent yet",
        "given": "Given",
        "given_with_conditions": "Given with conditions",
        "declined": "Declined",
        "withdrawn": "Withdrawn",
    },
    "Ability": {"yes": "Yes", "no": "No", "not_sure": "Not sure"},
    "CapacityOutcome": {
        "has_capacity": "Can make this decision",
        "lacks_capacity": "Cannot make this decision at this time",
    },
    "PracticableStep": {
        "other_form": "Information given in another form",
        "better_time": "Chose a better time or place",
        "trusted_person": "Someone they trust helped",
        "other": "Another step",
    },
    "AttachmentKind": {"audio": "Audio", "photo": "Photo", "document": "Document"},
    "TombstoneReason": {"deleted": "Deleted", "withdrawn": "Consent withdrawn"},
}
