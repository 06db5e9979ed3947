"""Boards as the dnr engine knows them: names, prefixes, the forms they use."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .families import (
    CLASS_NUMBER_SLASH_YEAR,
    CLASS_NUMBER_YEAR,
    CODE_NUMBER_SLASH_YEAR,
    CODE_YY_NUMBER,
    PREFIX,
    TRAFIK,
)


@dataclass(frozen=True)
class BoardInfo:
    """What the dnr engine knows about a board; passed in as data (the register keeps the
    configured prefixes in the database)."""

    name: str
    short_name: str
    prefixes: tuple[str, ...]
    names: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    # A body outside the municipality (Länsstyrelsen, JO, another municipality's board): the
    # register keeps it as a board of the "external body" kind so references to it resolve.
    external: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.short_name, *self.names)))


def _district(short: str, genitive: str | None = None, prefixes: tuple[str, ...] = ()) -> BoardInfo:
    genitive = genitive or short
    formats = (PREFIX, CLASS_NUMBER_YEAR) if prefixes else ()
    return BoardInfo(
        name=f"{genitive} stadsdelsnämnd",
        short_name=short,
        prefixes=prefixes,
        names=(f"{genitive} stadsdelsförvaltning", f"{short} stadsdelsnämnd"),
        formats=formats,
    )


# Only HV and KS are confirmed eDok prefixes (DOMAIN.md); T is Trafikkontoret's old form.
# Registrators configure the others, so none are invented here.
STOCKHOLM_BOARDS: tuple[BoardInfo, ...] = (
    _district("Bromma"),
    _district("Enskede-Årsta-Vantör", "Enskede-Årsta-Vantörs"),
    _district("Farsta"),
    _district("Hägersten-Älvsjö"),
    _district("Hässelby-Vällingby", prefixes=("HV",)),
    _district("Järva"),
    _district("Kungsholmen", "Kungsholmens"),
    _district("Norra innerstaden", "Norra innerstadens"),
    _district("Skarpnäck", "Skarpnäcks"),
    _district("Skärholmen", "Skärholmens"),
    _district("Södermalm", "Södermalms"),
    _district("Rinkeby-Kista"),
    _district("Spånga-Tensta"),
    _district("Norrmalm", "Norrmalms"),
    _district("Östermalm", "Östermalms"),
    _district("Hägersten-Liljeholmen", "Hägersten-Liljeholmens"),
    _district("Älvsjö"),
    BoardInfo(
        "Socialnämnden",
        "Socialnämnden",
        (),
        (
            "Socialnämnd",
            "Socialförvaltning",
            "SoF",
            "Socialtjänstnämnd",
            "Socialtjänstförvaltning",
            "Socialtjänst- och arbetsmarknadsnämnd",
        ),
        (CLASS_NUMBER_SLASH_YEAR,),
    ),
    BoardInfo(
        "Trafiknämnden",
        "Trafiknämnden",
        ("T",),
        ("Trafiknämnd", "Trafikkontor", "Trafik- och renhållningsnämnd"),
        (TRAFIK,),
    ),
    BoardInfo(
        "Stadsbyggnadsnämnden",
        "Stadsbyggnadsnämnden",
        (),
        ("Stadsbyggnadsnämnd", "Stadsbyggnadskontor"),
    ),
    BoardInfo(
        "Exploateringsnämnden",
        "Exploateringsnämnden",
        (),
        ("Exploateringsnämnd", "Exploateringskontor"),
    ),
    BoardInfo(
        "Fastighetsnämnden", "Fastighetsnämnden", (), ("Fastighetsnämnd", "Fastighetskontor")
    ),
    BoardInfo("Kulturnämnden", "Kulturnämnden", (), ("Kulturnämnd", "Kulturförvaltning")),
    BoardInfo("Idrottsnämnden", "Idrottsnämnden", (), ("Idrottsnämnd", "Idrottsförvaltning")),
    BoardInfo("Äldrenämnden", "Äldrenämnden", (), ("Äldrenämnd", "Äldreförvaltning")),
    BoardInfo(
        "Utbildningsnämnden",
        "Utbildningsnämnden",
        (),
        ("Utbildningsnämnd", "Utbildningsförvaltning"),
    ),
    BoardInfo(
        "Arbetsmarknadsnämnden",
        "Arbetsmarknadsnämnden",
        (),
        ("Arbetsmarknadsnämnd", "Arbetsmarknadsförvaltning"),
    ),
    BoardInfo(
        "Miljö- och hälsoskyddsnämnden",
        "Miljö- och hälsoskyddsnämnden",
        (),
        ("Miljö- och hälsoskyddsnämnd", "Miljöförvaltning"),
    ),
    BoardInfo("Servicenämnden", "Servicenämnden", (), ("Servicenämnd", "Serviceförvaltning")),
    BoardInfo("Stadsrevisionen", "Stadsrevisionen", (), ("Revisionskontor",)),
    BoardInfo(
        "Kommunstyrelsen",
        "Kommunstyrelsen",
        ("KS",),
        ("Kommunstyrelse", "Stadsledningskontor", "SLK"),
        (PREFIX, CODE_NUMBER_SLASH_YEAR),
    ),
    BoardInfo("Kommunfullmäktige", "Kommunfullmäktige", (), ("Kommunfullmäktige",)),
)


def _external(name: str, short: str, *names: str, formats: tuple[str, ...] = ()) -> BoardInfo:
    return BoardInfo(name, short, (), names, formats, external=True)


# Bodies outside the city whose numbers agendas quote ("Remiss från Länsstyrelsen, dnr
# 505-08-64515", "JO dnr 5529-2013"). Named right before a number, they own it.
EXTERNAL_BODIES: tuple[BoardInfo, ...] = (
    _external(
        "Länsstyrelsen i Stockholms län",
        "Länsstyrelsen",
        "Länsstyrelsen",
        "Länsstyrelse",
        formats=(CODE_YY_NUMBER,),
    ),
    _external("Justitieombudsmannen", "Justitieombudsmannen", "JO", "Riksdagens ombudsmän"),
    _external("Justitiekanslern", "Justitiekanslern", "JK"),
    _external("Inspektionen för vård och omsorg", "IVO", "IVO"),
    _external("Socialstyrelsen", "Socialstyrelsen"),
    _external("Skolinspektionen", "Skolinspektionen"),
    _external("Skolverket", "Skolverket"),
    _external("Integritetsskyddsmyndigheten", "IMY", "IMY", "Datainspektionen"),
    _external("Polismyndigheten", "Polismyndigheten", "Polisen"),
    _external("Migrationsverket", "Migrationsverket"),
    _external("Försäkringskassan", "Försäkringskassan"),
    _external("Arbetsmiljöverket", "Arbetsmiljöverket"),
    _external("Trafikverket", "Trafikverket", "Vägverket", "Banverket"),
    _external("Boverket", "Boverket"),
    _external("Naturvårdsverket", "Naturvårdsverket"),
    _external("Region Stockholm", "Region Stockholm", "Stockholms läns landsting", "SLL"),
    _external("Förvaltningsrätten i Stockholm", "Förvaltningsrätten", "Länsrätten"),
    _external("Kammarrätten i Stockholm", "Kammarrätten"),
    _external("Mark- och miljödomstolen", "Mark- och miljödomstolen", "Miljödomstolen"),
    _external("Regeringskansliet", "Regeringskansliet", "Regeringen"),
    _external("Sveriges Kommuner och Regioner", "SKR", "SKR", "SKL"),
    _external("Skatteverket", "Skatteverket"),
    _external("Kronofogden", "Kronofogden"),
    _external("Lantmäteriet", "Lantmäteriet"),
)
EXTERNAL_BY_SHORT_NAME = {body.short_name: body for body in EXTERNAL_BODIES}


def _fold(text: str) -> str:
    """Lower case without diacritics or punctuation, for comparing board labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


# How OCR renders the Swedish letters in the seeds (OCR.md): ä/å as a, d, i, é, &, 4 or two
# glyphs ("id", "ia"); ö as o, é, 6, d, g, 0.
_OCR_AA = "[aåäàáâãdiéèê&4@#]{1,2}"
_OCR_OO = "[oöóòôõdéèêg60]{1,2}"


def ocr_phrase_regex(phrase: str) -> str:
    """A case-insensitive regex for a Swedish phrase as OCR may have spelled it. ``*`` stands
    for any word ending ("överlämna*" matches överlämnas, överlämnades)."""
    out = []
    for ch in phrase:
        low = ch.lower()
        if low in "åäé":
            out.append(_OCR_AA)
        elif low == "ö":
            out.append(_OCR_OO)
        elif ch in " -":
            out.append(r"[\s\-\u2010-\u2015]*")
        elif ch == "*":
            out.append(r"\w*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@dataclass(frozen=True)
class _Catalogue:
    boards: tuple[BoardInfo, ...]
    by_prefix: dict[str, BoardInfo]
    by_label: dict[str, BoardInfo]
    family_owner: dict[str, BoardInfo]
    names: re.Pattern[str] | None
    name_board: dict[str, BoardInfo] = field(default_factory=dict)


@functools.lru_cache(maxsize=32)
def _catalogue(boards: tuple[BoardInfo, ...]) -> _Catalogue:
    by_prefix: dict[str, BoardInfo] = {}
    by_label: dict[str, BoardInfo] = {}
    users: dict[str, list[BoardInfo]] = {}
    alternatives = []
    name_board: dict[str, BoardInfo] = {}
    for index, board in enumerate(boards):
        for prefix in board.prefixes:
            by_prefix.setdefault(prefix.strip().upper(), board)
        for label in (*board.forms, *board.prefixes):
            by_label.setdefault(_fold(label), board)
        for family_name in board.formats:
            users.setdefault(family_name, []).append(board)
        # Forms of one or two letters ("KF") would fire on ordinary words; longer forms take
        # any ending (genitive -s, definite -en) through the glue that follows them.
        forms = sorted(board.forms, key=len, reverse=True)
        body = "|".join(ocr_phrase_regex(form) for form in forms if len(form) >= 3)
        if body:
            group = f"b{index}"
            name_board[group] = board
            alternatives.append(f"(?P<{group}>{body})")
    pattern = (
        re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})", re.IGNORECASE) if alternatives else None
    )
    owner = {name: found[0] for name, found in users.items() if len(found) == 1}
    return _Catalogue(boards, by_prefix, by_label, owner, pattern, name_board)
