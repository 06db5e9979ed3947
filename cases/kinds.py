"""The kinds of handling, in one place: the register's values, the labels the UI and the
import summary show, read by the models (as Django choices) and by the importers, which are
pure Python and cannot import the models."""

from enum import StrEnum


class Kind(StrEnum):
    REPORT_TU = "tjansteutlatande"
    LETTER = "skrivelse"
    CITIZEN_PROPOSAL = "medborgarforslag"
    MOTION = "motion"
    REFERRAL = "remiss"
    REFERRAL_ANSWER = "remissvar"
    MINUTES_EXTRACT = "protokollsutdrag"
    DECISION = "beslut"
    DELEGATION_DECISION = "delegationsbeslut"
    REPORT = "rapport"
    EMAIL = "e-post"
    ATTACHMENT = "bilaga"
    AGENDA = "dagordning"
    CASE_LIST = "arendelista"
    OTHER = "annan"


# kind → (label, plural for counts such as "3 tjänsteutlåtanden")
LABELS = {
    Kind.REPORT_TU: ("Tjänsteutlåtande", "tjänsteutlåtanden"),
    Kind.LETTER: ("Skrivelse", "skrivelser"),
    Kind.CITIZEN_PROPOSAL: ("Medborgarförslag", "medborgarförslag"),
    Kind.MOTION: ("Motion", "motioner"),
    Kind.REFERRAL: ("Remiss", "remisser"),
    Kind.REFERRAL_ANSWER: ("Remissvar/yttrande", "remissvar"),
    Kind.MINUTES_EXTRACT: ("Protokollsutdrag", "protokollsutdrag"),
    Kind.DECISION: ("Beslut", "beslut"),
    Kind.DELEGATION_DECISION: ("Delegationsbeslut", "delegationsbeslut"),
    Kind.REPORT: ("Rapport", "rapporter"),
    Kind.EMAIL: ("E-post", "e-postmeddelanden"),
    Kind.ATTACHMENT: ("Bilaga", "bilagor"),
    Kind.AGENDA: ("Dagordning", "dagordningar"),
    Kind.CASE_LIST: ("Ärendelista", "ärendelistor"),
    Kind.OTHER: ("Annan handling", "andra handlingar"),
}

# What a person sends to the board (a handling that arrives, not one drawn up here).
ARRIVALS = (Kind.CITIZEN_PROPOSAL, Kind.EMAIL, Kind.REFERRAL, Kind.MINUTES_EXTRACT, Kind.LETTER)


def plural(kind: str) -> str:
    try:
        return LABELS[Kind(kind)][1]
    except ValueError:
        return kind
