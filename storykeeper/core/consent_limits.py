"""The limits of a consent version's fields, and which bases decide for the person: shared by
consent.py and mca.py (and the bundle, which carries the same limits)."""

from __future__ import annotations

from storykeeper.core.vocabulary import ConsentBasis

DEFAULT_REVIEW_MONTHS = 6
#: Each of a consent version's texts (the person's words, conditions, notes, reasons). A bundle
#: carries the same limit (bundle/document.py), so what is recorded here can always be sent.
TEXT_MAX = 20_000
DECIDED_BY_MAX = 200
#: A person's name in the Mental Capacity Act record (assessor, decision-maker, someone
#: consulted, the advocate): as long as "who decided".
PERSON_NAME_MAX = DECIDED_BY_MAX
#: Which decision a capacity assessment was about, in words ("Sharing her story with the
#: coordinator"): one line.
CAPACITY_DECISION_MAX = 500
#: How someone consulted is related to the person ("her daughter", "key worker").
RELATIONSHIP_MAX = 100
#: People consulted for one best-interests decision: far more than any real meeting.
CONSULTED_MAX = 50
#: The LPA reference or the court order number (the column's width).
REFERENCE_MAX = 100

#: The bases on which someone other than the person decides for them.
DECIDED_FOR_THE_PERSON = (
    ConsentBasis.LASTING_POWER_OF_ATTORNEY,
    ConsentBasis.DEPUTY,
    ConsentBasis.BEST_INTERESTS,
)
REPRESENTATIVES = (ConsentBasis.LASTING_POWER_OF_ATTORNEY, ConsentBasis.DEPUTY)
