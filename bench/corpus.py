"""Synthetic Nämndportalen corpus for the benchmarks (bench/search.py, bench/export.py).

Text comes from the seed documents in ``demo/seeds``:

- OCR'd documents (70 %) take runs of consecutive lines from the OCR'd seeds 000 and 002
  (no å/ä/ö, real glyph damage, hyphenation, bullets) or clean lines damaged with the
  substitution profile measured in ``docs/ocr.md`` (ä→a/d/i/é/&, å→a/d/é, ö→o/6/é,
  Ä/Å/Ö→A/O at word start, "i"→"1");
- clean documents (30 %) take lines of the clean seeds 003 and 004 and of 002 with its
  diacritics restored through the app's word list (the "repair lexicon" of docs/ocr.md);
- a Zipf-distributed tail of words from the word list gives realistically rare words.

Bulk load: cases, meetings and decisions are COPYed by the main process; documents,
references and search entries by worker processes (one per core). Each worker COPYs a batch of
documents and a temporary staging table holding the text to index, then computes both
tsvectors in SQL in one ``INSERT ... SELECT`` per batch with the app's own
``language.weighted_vector_sql``. The staged text is prepared in Python exactly as
``indexing.index_document`` does (``_vector_parts`` → ``_with_compounds``, i.e.
``language.ocrfold`` and ``language.compound_parts``); ``verify_vectors`` re-indexes a random
sample through ``indexing.index_document`` itself and compares the vectors.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import importlib
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "demo" / "seeds"
BENCH_DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "namndportalen_bench")
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SEED = 20260501

OCR_SHARE = 0.70
START_YEAR, END_YEAR = 2005, 2026
DOCS_PER_BATCH = 5000
CORPUS_VERSION = "4"  # bump when the generator changes: --reuse then rebuilds


# --- Django and the bench database ---------------------------------------------------------


def db_name(size: int) -> str:
    return f"{BENCH_DB_PREFIX}_{size}"


def setup_django(*, server: str | None, embedded: bool, size: int) -> None:
    """Point Django at the bench database of ``size`` (never the dev database) and set up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Production settings: no query log in connection.queries, no debug overhead.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
    if embedded:
        os.environ.pop("DATABASE_URL", None)
        os.environ["EMBEDDED_POSTGRES_DB"] = db_name(size)
    else:
        _create_database(server or DEFAULT_SERVER, db_name(size))
        os.environ["DATABASE_URL"] = f"{(server or DEFAULT_SERVER).rstrip('/')}/{db_name(size)}"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def switch_database(*, server: str | None, embedded: bool, size: int) -> None:
    """Use the bench database of another size in an already set-up process."""
    from django.db import connection

    connection.close()
    if embedded:
        from django.conf import settings

        from portal.embedded_postgres import server as embedded_server

        embedded_server.ensure_server(settings.EMBEDDED_POSTGRES_DIR, database=db_name(size))
        data_dir = Path(settings.EMBEDDED_POSTGRES_DIR).resolve()
        embedded_server._create_database(embedded_server._servers[data_dir], db_name(size))
    else:
        _create_database(server or DEFAULT_SERVER, db_name(size))
    connection.settings_dict["NAME"] = db_name(size)


def _create_database(server: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server.rstrip('/')}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def corpus_size() -> int | None:
    """The size of the complete corpus in the current database (None: none, or outdated)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT key, value FROM bench_meta")
        meta = dict(cursor.fetchall())
    if meta.get("version") != CORPUS_VERSION or "size" not in meta:
        return None
    return int(meta["size"])


def server_summary() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        settings = []
        for name in (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "jit",
            "max_parallel_workers_per_gather",
            "random_page_cost",
        ):
            cursor.execute(f"SHOW {name}")
            settings.append(f"{name}={cursor.fetchone()[0]}")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return f"PostgreSQL {version} ({', '.join(settings)}); database {size}"


# --- Seed text -----------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ&@#0-9]+")
# Short words that OCR folds into other real words, restored explicitly (commonest reading).
_SHORT = {
    "for": "för",
    "fér": "för",
    "f6r": "för",
    "pa": "på",
    "pd": "på",
    "pé": "på",
    "p4": "på",
    "p&": "på",
    "ar": "är",
    "&r": "är",
    "4r": "är",
    "dr": "är",
    "nar": "när",
    "nér": "när",
    "dar": "där",
    "dir": "där",
    "sa": "så",
    "s&": "så",
    "sé": "så",
    "std": "stå",
    "ocksa": "också",
    "ocksé": "också",
    "ocksd": "också",
    "aven": "även",
    "dven": "även",
    "4ven": "även",
    "fran": "från",
    "fore": "före",
    "over": "över",
    "6ver": "över",
    "dver": "över",
    "mal": "mål",
    "malet": "målet",
    "ater": "åter",
    "annu": "ännu",
    "nagon": "någon",
    "nagot": "något",
    "nagra": "några",
    "forst": "först",
    "fa": "få",
    "far": "får",
    "hor": "hör",
    "gor": "gör",
    "gora": "göra",
    "goéra": "göra",
    "bor": "bör",
    "tva": "två",
    "ga": "gå",
    "gar": "går",
    "sta": "stå",
    "star": "står",
    "1": "i",
}
_SOURCES_A = set("adié&4@#")
_SOURCES_O = set("o6déga0")


@dataclass
class Line:
    """A line of seed text with what indexing needs precomputed (the app's own functions).

    ``language.ocrfold`` and ``language.words`` act within a line (a newline is neither a letter,
    a digit nor part of a word), so folding and tokenising lines and joining them with "\n"
    gives exactly what the app computes on the joined text; ``verify_vectors`` checks it."""

    raw: str
    words: int
    folded: str  # language.ocrfold(raw)
    raw_long: tuple[str, ...]  # language.words(raw) of 8+ letters (compound candidates)
    folded_long: tuple[str, ...]  # the same for the folded line


def make_line(raw: str) -> Line:
    from cases.search import language

    folded = language.ocrfold(raw)
    return Line(
        raw,
        raw.count(" ") + 1,
        folded,
        tuple(w for w in language.words(raw) if len(w) >= 8),
        tuple(w for w in language.words(folded) if len(w) >= 8),
    )


@dataclass
class Seeds:
    ocr_lines: list[Line]  # real OCR'd lines (000, 002)
    clean_lines: list[Line]  # 003, 004, and 002 with diacritics restored
    damaged_lines: list[list[Line]]  # clean lines with synthetic OCR damage, several versions
    ocr_titles: list[str]
    clean_titles: list[str]
    summaries: list[str]
    rare_pool: list[str]


def _wordlist() -> frozenset[str]:
    from cases.importers.quality import load_wordlist

    return load_wordlist()


@functools.cache
def _repair_token(token: str) -> str:
    """Restore the å/ä/ö of an OCR'd token through the word list (docs/ocr.md, repair lexicon)."""
    lower = token.lower()
    fixed = _SHORT.get(lower)
    if fixed is None:
        from cases.importers.quality import is_known_word

        words = _wordlist()
        if lower in words and not any(ch in lower for ch in "é&4@#6"):
            return token
        positions = [i for i, ch in enumerate(lower) if ch in _SOURCES_A or ch in _SOURCES_O]
        for known in (words.__contains__, is_known_word):
            for count in (1, 2, 3):
                for combo in itertools.combinations(positions[:10], count):
                    fixed = next((w for w in _replacements(lower, combo) if known(w)), None)
                    if fixed:
                        break
                if fixed:
                    break
            if fixed:
                break
        if fixed is None:
            fixed = re.sub(r"(?<=[a-zé])[&4@#]|[&4@#](?=[a-zé])", "ä", lower).replace("é", "ä")
            fixed = re.sub(r"(?<=[a-zä])6|6(?=[a-zä])", "ö", fixed)
    if token[:1].isupper():
        fixed = fixed[:1].upper() + fixed[1:]
    return fixed


def _replacements(word: str, combo: tuple[int, ...]):
    options = []
    for i in combo:
        ch = word[i]
        options.append(
            (["ä", "å"] if ch in _SOURCES_A else []) + (["ö"] if ch in _SOURCES_O else [])
        )
    for choice in itertools.product(*options):
        chars = list(word)
        for i, new in zip(combo, choice, strict=True):
            chars[i] = new
        yield "".join(chars)


def _repair_line(line: str) -> str:
    return _TOKEN.sub(lambda m: _repair_token(m.group(0)), line)


_NOT_TITLE_START = {
    "för",
    "for",
    "och",
    "att",
    "som",
    "i",
    "på",
    "pa",
    "av",
    "med",
    "det",
    "den",
    "de",
    "en",
    "ett",
    "detta",
    "vi",
    "man",
    "vid",
    "inom",
    "under",
    "till",
    "från",
    "fran",
    "när",
    "nar",
    "där",
    "dar",
    "om",
    "är",
    "ar",
    "har",
    "kan",
    "ska",
    "samt",
    "eller",
    "men",
    "dessa",
}


def _is_title(line: str) -> bool:
    words = line.split()
    if not 3 <= len(words) <= 14 or not line[:1].isalpha() or not line[:1].isupper():
        return False
    if words[0].lower() in _NOT_TITLE_START:
        return False
    letters = sum(ch.isalpha() or ch == " " for ch in line)
    return letters / len(line) > 0.9 and not line.rstrip().endswith((".", ":", ","))


def _is_texty(line: str) -> bool:
    if len(line) < 20:
        return False
    return sum(ch.isalpha() or ch == " " for ch in line) / len(line) > 0.8


def load_seeds() -> Seeds:
    texts = {f.name[:3]: f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt"))}
    ocr_lines = [
        line.rstrip() for line in (texts["000"] + "\n" + texts["002"]).splitlines() if line.strip()
    ]
    typed = [
        line.strip() for line in (texts["003"] + "\n" + texts["004"]).splitlines() if line.strip()
    ]
    repaired = [_repair_line(line.strip()) for line in ocr_lines if _is_texty(line)]
    clean_lines = typed * 4 + repaired  # the typed seeds are small: give them some weight
    ocr_titles = [line.strip() for line in ocr_lines if _is_title(line.strip())]
    clean_titles = [line for line in typed if _is_title(line)] + [
        line for line in repaired if _is_title(line)
    ]
    summaries = [
        sentence.strip().rstrip(".") + "."
        for line in typed + repaired
        for sentence in line.split(". ")
        if 40 <= len(sentence) <= 240 and _is_texty(sentence)
    ]
    damager = Damager(random.Random(SEED))
    damaged = [[make_line(damager.damage(line)) for line in clean_lines] for _ in range(3)]
    return Seeds(
        [make_line(line) for line in ocr_lines],
        [make_line(line) for line in clean_lines],
        damaged,
        ocr_titles,
        clean_titles,
        summaries,
        rare_pool(),
    )


def rare_pool() -> list[str]:
    """Swedish-looking words of the word list in a fixed random order (their Zipf rank)."""
    words = sorted(w for w in _wordlist() if 7 <= len(w) <= 18 and re.fullmatch(r"[a-zåäö]+", w))
    random.Random(SEED).shuffle(words)
    return words[:60000]


# --- OCR damage for clean text -------------------------------------------------------------

# Realisations of å/ä/ö in the OCR'd seeds (docs/ocr.md, whole-document shares, rounded).
_DAMAGE = {
    "ä": (("a", 30), ("d", 18), ("i", 17), ("é", 17), ("&", 4), ("4", 1), ("id", 2), ("éd", 1)),
    "å": (("a", 68), ("d", 14), ("é", 12), ("&", 3), ("4", 1)),
    "ö": (("o", 80), ("6", 9), ("é", 7), ("d", 2), ("g", 1), ("0", 1)),
}
_WORD = re.compile(r"\w+")
_SPECIAL = re.compile(r"[åäöÅÄÖ]")


class Damager:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tables = {
            ch: ([r for r, _ in opts], list(itertools.accumulate(w for _, w in opts)))
            for ch, opts in _DAMAGE.items()
        }

    def _letter(self, match: re.Match) -> str:
        ch = match.group(0)
        replacements, cumulative = self.tables[ch.lower()]
        choice = self.rng.choices(replacements, cum_weights=cumulative)[0]
        return choice.upper() if ch.isupper() and choice.isalpha() else choice

    def _word(self, match: re.Match) -> str:
        token = match.group(0)
        if token == "i" and self.rng.random() < 0.27:
            return "1"
        if token[0] in "ÅÄÖ":
            token = ("O" if token[0] == "Ö" else "A") + token[1:]
        return _SPECIAL.sub(self._letter, token)

    def damage(self, text: str) -> str:
        return _WORD.sub(self._word, text)


# --- The corpus plan -----------------------------------------------------------------------

KINDS = [
    ("tjansteutlatande", 30),
    ("skrivelse", 8),
    ("medborgarforslag", 6),
    ("motion", 3),
    ("remiss", 6),
    ("remissvar", 6),
    ("protokollsutdrag", 10),
    ("beslut", 5),
    ("delegationsbeslut", 5),
    ("rapport", 7),
    ("e-post", 4),
    ("bilaga", 6),
    ("dagordning", 1),
    ("arendelista", 1),
    ("annan", 2),
]
KIND_LABELS = {
    "tjansteutlatande": "Tjänsteutlåtande",
    "skrivelse": "Skrivelse",
    "medborgarforslag": "Medborgarförslag",
    "motion": "Motion",
    "remiss": "Remiss",
    "remissvar": "Remissvar",
    "protokollsutdrag": "Protokollsutdrag",
    "beslut": "Beslut",
    "delegationsbeslut": "Delegationsbeslut",
    "rapport": "Rapport",
    "e-post": "E-post",
    "bilaga": "Bilaga",
    "dagordning": "Dagordning",
    "arendelista": "Ärendelista",
    "annan": "Handling",
}
STATUSES = [
    ("avslutat", 45),
    ("beslutat", 25),
    ("arkiverat", 18),
    ("pagaende", 11.5),
    ("makulerat", 0.5),
]
PROPOSALS = [
    "Stadsdelsnämnden godkänner förvaltningens tjänsteutlåtande som svar på skrivelsen.",
    "Nämnden godkänner förvaltningens tjänsteutlåtande som svar på medborgarförslaget.",
    "Nämnden överlämnar tjänsteutlåtandet som svar på remissen till kommunstyrelsen.",
    "Socialnämnden godkänner rapporten och lägger den till handlingarna.",
    "Ärendet justeras omedelbart.",
]
OFFICERS = [
    "Solveig Nilsson",
    "Ylva Kuylenstierna",
    "Lisa Allinger",
    "Anders Berg",
    "Maria Lind",
    "Johan Ek",
    "Sara Holm",
    "Per Sjöberg",
    "Eva Åström",
    "Karin Öberg",
]
COUNTERPARTS = [
    "saknas",
    "Kommunstyrelsen",
    "Socialnämnden",
    "Stadsledningskontoret",
    "Medborgare",
    "Polisregion Stockholm",
    "Länsstyrelsen",
    "Trafikkontoret",
]
RELATIONS = ["", "", "", "svar-pa", "remiss-fran", "for-kannedom"]
DECISION_TEXTS = [
    "Nämnden beslutar i enlighet med förvaltningens förslag.",
    "Nämnden godkänner förvaltningens tjänsteutlåtande som svar på skrivelsen.",
    "Ärendet återremitteras till förvaltningen.",
]


def bench_prefixes(boards) -> dict[int, str]:
    """A dnr prefix for every board (registrators enter the real ones in the admin)."""
    from cases import dnr as dnrlib

    taken: set[str] = set()
    prefixes: dict[int, str] = {}
    for board in sorted(boards, key=lambda b: (not b.dnr_prefixes, b.pk)):
        if board.dnr_prefixes:
            prefixes[board.pk] = board.dnr_prefixes[0]
            taken.add(board.dnr_prefixes[0])
            continue
        letters = re.sub(r"[^a-z]", "", board.slug).upper()
        for length in range(2, len(letters) + 1):
            candidate = letters[:length]
            if candidate not in taken and candidate not in dnrlib.NOT_PREFIXES:
                break
        prefixes[board.pk] = candidate
        taken.add(candidate)
    return prefixes


@dataclass
class CasePlan:
    id: int
    board_id: int
    dnr: str
    dnr_key: str
    year: int
    number: int
    registered_on: datetime.date
    status: str
    title: str
    documents: int
    first_document: int


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def plan_cases(size: int, boards, prefixes: dict[int, str], seeds: Seeds) -> list[CasePlan]:
    """Cases of 1–8 documents each (mean ≈ 3) until ``size`` documents are planned."""
    from cases import dnr as dnrlib

    rng = random.Random(SEED)
    weights = [
        (b, 6 if b.dnr_prefixes else (2 if b.kind == "stadsdelsnamnd" else 1.5)) for b in boards
    ]
    numbers: dict[tuple[int, int], int] = {}
    cases: list[CasePlan] = []
    next_document = 1
    while next_document <= size:
        board = _weighted(rng, weights)
        lo = max(START_YEAR, board.valid_from.year if board.valid_from else START_YEAR)
        hi = min(END_YEAR, board.valid_to.year if board.valid_to else END_YEAR)
        year = min(hi, lo + int((hi - lo + 1) * math.sqrt(rng.random())))  # more in later years
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        if board.valid_to and day > board.valid_to:
            day = board.valid_to
        if board.valid_from and day < board.valid_from:
            day = board.valid_from
        key = (board.pk, year)
        numbers[key] = numbers.get(key, 0) + 1 + (rng.random() < 0.2)  # some numbers unused
        count = min(8, int(rng.expovariate(1 / 2.2)) + 1, size - next_document + 1)
        dnr = f"{prefixes[board.pk]} {year}/{numbers[key]}"
        # the key of this spelling is the spelling itself; checked with the dnr engine below
        cases.append(
            CasePlan(
                id=len(cases) + 1,
                board_id=board.pk,
                dnr=dnr,
                dnr_key=dnr,
                year=year,
                number=numbers[key],
                registered_on=day,
                status=_weighted(rng, STATUSES),
                title=rng.choice(seeds.clean_titles),
                documents=count,
                first_document=next_document,
            )
        )
        next_document += count
    for case in cases[:: max(1, len(cases) // 500)]:
        assert dnrlib.parse_dnr(case.dnr).case_dnr.key == case.dnr_key, case.dnr
    return cases


def plan_decisions(cases: list[CasePlan], boards):
    """Meetings (board, date) and decisions with § numbers running per board and year."""
    rng = random.Random(SEED + 1)
    valid_to = {b.pk: b.valid_to for b in boards}
    wanted = []
    for case in cases:
        if case.status in ("beslutat", "avslutat", "arkiverat") and rng.random() < 0.7:
            day = case.registered_on + datetime.timedelta(days=rng.randint(20, 150))
            day = min(day, valid_to[case.board_id] or day, datetime.date(END_YEAR, 12, 31))
            wanted.append((case.board_id, day, case.id))
    wanted.sort()
    meetings: dict[tuple[int, datetime.date], int] = {}
    sections: dict[tuple[int, int], int] = {}
    decisions = []
    for board_id, day, case_id in wanted:
        meeting_id = meetings.setdefault((board_id, day), len(meetings) + 1)
        section = sections[(board_id, day.year)] = sections.get((board_id, day.year), 0) + 1
        decisions.append(
            (
                len(decisions) + 1,
                case_id,
                meeting_id,
                board_id,
                day.year,
                section,
                day,
                rng.choice(DECISION_TEXTS),
            )
        )
    meeting_rows = []
    for (board_id, day), pk in meetings.items():
        stamp = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
        posted = day + datetime.timedelta(days=2)
        meeting_rows.append(
            (pk, board_id, day, "Sammanträdesrummet", day, posted, "", stamp, stamp)
        )
    return meeting_rows, decisions


# --- Documents -----------------------------------------------------------------------------

REFERENCE_COLUMNS = [
    "source_id",
    "raw",
    "dnr_key",
    "display",
    "start",
    '"end"',
    "board_id",
    "relation",
    "status",
    "target_id",
    "suspected_target_id",
]
STAGE_COLUMNS = [
    "document_id",
    "case_id",
    "board_id",
    "kind",
    "status",
    "date",
    "public",
    "ocr",
    "a",
    "b",
    "c",
    "d",
]


class DocumentMaker:
    """Makes the documents of a run of cases, reproducibly from the batch number."""

    def __init__(self, seeds: Seeds, batch: int) -> None:
        self.seeds = seeds
        self.rng = random.Random(SEED * 1000 + batch)
        self.damager = Damager(self.rng)
        self.log_pool = math.log(len(seeds.rare_pool))

    def rare_word(self) -> str:
        # Zipf(1) over the pool: a log-uniform rank
        rank = int(math.exp(self.rng.random() * self.log_pool)) - 1
        return self.seeds.rare_pool[min(rank, len(self.seeds.rare_pool) - 1)]

    def _run(self, lines: list[Line], words: int) -> list[Line]:
        i = self.rng.randrange(len(lines))
        out: list[Line] = []
        total = 0
        while total < words:
            line = lines[i % len(lines)]
            out.append(line)
            total += line.words
            i += 1
        return out

    def body(self, *, ocr: bool) -> list[Line]:
        # log-normal length: median ≈ 180 words (docs/performance.md: 80–300), long reports up to 2,500
        words = int(min(2500, max(60, self.rng.lognormvariate(math.log(180), 0.6))))
        if ocr and self.rng.random() < 0.6:
            lines = self._run(self.seeds.ocr_lines, words)
        elif ocr:
            lines = self._run(self.rng.choice(self.seeds.damaged_lines), words)
        else:
            lines = self._run(self.seeds.clean_lines, words)
        for _ in range(min(6, int(self.rng.expovariate(1 / 1.5)))):
            word = self.rare_word()
            at = self.rng.randrange(len(lines))
            lines[at] = make_line(f"{lines[at].raw} {self.damager.damage(word) if ocr else word}")
        return lines


class RowMaker:
    """Model instances made positionally (fast) plus their COPY row, for whatever columns the
    model has now (other columns keep their model defaults)."""

    def __init__(self, model) -> None:
        from django.db.models import JSONField

        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f'"{f.column}"' for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self.index.update({f.name: i for i, f in enumerate(self.fields)})
        self.defaults = [f.get_default() for f in self.fields]
        self.json = [i for i, f in enumerate(self.fields) if isinstance(f, JSONField)]

    def make(self, **values):
        args = list(self.defaults)
        for name, value in values.items():
            args[self.index[name]] = value
        instance = self.model(*args)
        row = list(args)
        for i in self.json:
            row[i] = json.dumps(row[i])
        return instance, row


def case_instance(case: CasePlan, maker: RowMaker):
    stamp = datetime.datetime(case.registered_on.year, 12, 31, tzinfo=datetime.UTC)
    return maker.make(
        id=case.id,
        board_id=case.board_id,
        dnr=case.dnr,
        dnr_key=case.dnr_key,
        dnr_year=case.year,
        dnr_number=case.number,
        title=case.title,
        status=case.status,
        registered_on=case.registered_on,
        officer=OFFICERS[case.id % len(OFFICERS)],
        cancelled_reason="Dubbelregistrering" if case.status == "makulerat" else "",
        created_at=stamp,
        updated_at=stamp,
    )


def make_batch(
    seeds: Seeds,
    cases: list[CasePlan],
    all_cases: list[CasePlan],
    batch: int,
    prefix_board: dict[str, int],
):
    """Rows for cases_document, cases_reference and the search staging table.

    The indexed text is what ``indexing.index_document`` indexes: ``indexing._vector_parts``
    is called on the (unsaved) model instances, ``indexing._with_compounds`` on the short
    parts, and the body takes the precomputed per-line fold (checked equal to
    ``_with_compounds`` by ``check_fast_path`` before a build).
    """
    from cases.models import Case, Document
    from cases.services import indexing

    maker = DocumentMaker(seeds, batch)
    rng = maker.rng
    case_rows, document_rows = RowMaker(Case), RowMaker(Document)
    documents, references, stage = [], [], []
    registered_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for plan in cases:
        case, _row = case_instance(plan, case_rows)
        for sequence in range(1, plan.documents + 1):
            doc_id = plan.first_document + sequence - 1
            ocr = rng.random() < OCR_SHARE
            kind = (
                "tjansteutlatande"
                if sequence == 1 and rng.random() < 0.5
                else _weighted(rng, KINDS)
            )
            if sequence == 1 and rng.random() < 0.6:
                title = f"{KIND_LABELS[kind]} om {plan.title[:1].lower()}{plan.title[1:]}"
            else:
                title = rng.choice(seeds.ocr_titles if ocr else seeds.clean_titles)
            if ocr and rng.random() < 0.5:
                title = maker.damager.damage(title)
            date = plan.registered_on + datetime.timedelta(days=int(rng.expovariate(1 / 40)))
            date = min(date, datetime.date(END_YEAR, 12, 31))
            lines = maker.body(ocr=ocr)
            # dnr mentions, recorded as references with their position in the text
            mentions = {}
            if rng.random() < 0.3:
                for _ in range(rng.randint(1, 3)):
                    target = all_cases[rng.randrange(len(all_cases))]
                    display = target.dnr
                    if rng.random() < 0.1:  # a number the register does not have
                        display = f"{display.split()[0]} {target.year}/{target.number + 50000}"
                    mentions[rng.randrange(len(lines))] = (target, display)
            body: list[Line] = []
            position = 0
            for i, line in enumerate(lines):
                if i in mentions:
                    target, display = mentions[i]
                    lead = "Svar på remiss dnr " if rng.random() < 0.5 else "Se ärende "
                    start = position + len(lead)
                    sentence = make_line(f"{lead}{display}.")
                    body.append(sentence)
                    position += len(sentence.raw) + 1
                    resolved = display == target.dnr
                    references.append(
                        (
                            doc_id,
                            display,
                            display,
                            display,
                            start,
                            start + len(display),
                            prefix_board.get(display.split()[0]),
                            rng.choice(RELATIONS),
                            "resolved" if resolved else "unresolved",
                            target.id if resolved else None,
                            None,
                        )
                    )
                body.append(line)
                position += len(line.raw) + 1
            full_text = "\n".join(line.raw for line in body)
            r = rng.random()
            confidential = r < 0.015
            document, row = document_rows.make(
                id=doc_id,
                case_id=case.id,
                sequence=sequence,
                kind=kind,
                title=title,
                document_date=date,
                registered_at=registered_at,
                updated_at=registered_at,
                direction=rng.choice(("in", "ut", "upprattad")),
                counterpart=rng.choice(COUNTERPARTS),
                officer=rng.choice(OFFICERS),
                summary=rng.choice(seeds.summaries) if rng.random() < 0.4 else "",
                full_text=full_text,
                text_source="ocr" if ocr else rng.choice(("text_layer", "typed")),
                ocr_quality=round(rng.uniform(0.03, 0.25), 4) if ocr else None,
                confidential=confidential,
                osl_reference="26 kap. 1 §" if confidential else "",
                published=not (0.015 <= r < 0.025),
                cancelled=0.025 <= r < 0.028,
                cancelled_reason="Felregistrerad" if 0.025 <= r < 0.028 else "",
                proposal=rng.choice(PROPOSALS) if rng.random() < 0.3 else "",
                # the synthetic text has no layout junk to clean away
                **({"clean_text": full_text} if "clean_text" in document_rows.index else {}),
            )
            document.case = case
            document._prefetched_objects_cache = {"attachments": []}  # no bilagor
            documents.append(row)
            # what indexing.index_document writes
            parts = indexing._vector_parts(document)
            prepared = {}
            for key, value in parts.items():
                if value == full_text:
                    prepared[key] = fast_body(body, ocr=ocr)
                else:
                    prepared[key] = indexing._with_compounds(value, ocr=ocr)
            stage.append(
                (
                    doc_id,
                    plan.id,
                    plan.board_id,
                    kind,
                    case.status,
                    document.document_date or case.registered_on,
                    document.is_public and not case.is_cancelled,
                    ocr,
                    prepared["a"],
                    prepared["b"],
                    prepared["c"],
                    prepared["d"],
                )
            )
    return documents, references, stage


def fast_body(body: list[Line], *, ocr: bool) -> str:
    """``indexing._with_compounds(full_text, ocr=ocr)`` from the precomputed lines."""
    from cases.services import indexing

    is_word = indexing._is_folded_word if ocr else indexing._is_word
    if ocr:
        folded = "\n".join(line.folded for line in body)
        tokens = [w for line in body for w in line.folded_long]
    else:
        folded = "\n".join(line.raw for line in body)
        tokens = [w for line in body for w in line.raw_long]
    return f"{folded}\n{compound_parts(tokens, is_word, ocr=ocr)}"


@contextlib.contextmanager
def indexer_shortcuts():
    """Pure-function shortcuts for the bulk load only (``verify_vectors`` runs without them):
    ``language.split_compound`` memoised, and ``mask_personal_numbers`` skipped for text without
    six digits in a row (a personnummer's YYMMDD)."""
    from cases import personal_data
    from cases.search import language

    split, mask = language.split_compound, personal_data.mask_personal_numbers
    six_digits = re.compile(r"[0-9]{6}")
    language.split_compound = functools.lru_cache(maxsize=None)(split)
    personal_data.mask_personal_numbers = lambda text: (
        mask(text) if text and six_digits.search(text) else text
    )
    try:
        yield
    finally:
        language.split_compound, personal_data.mask_personal_numbers = split, mask


def check_fast_path(seeds: Seeds, samples: int = 300) -> None:
    """The precomputed-line body must equal ``indexing._with_compounds`` on the joined text;
    refuse to build otherwise (the indexer changed: update fast_body)."""
    from cases.services import indexing

    rng = random.Random(SEED + 7)
    maker = DocumentMaker(seeds, 10**6)
    for n in range(samples):
        ocr = n % 3 != 0
        body = maker.body(ocr=ocr)
        full_text = "\n".join(line.raw for line in body)
        expected = indexing._with_compounds(full_text, ocr=ocr)
        if fast_body(body, ocr=ocr) != expected:
            raise SystemExit(
                "bench/corpus.py: the fast body path differs from indexing._with_compounds "
                f"(sample {n}, ocr={ocr}); the indexer changed, update fast_body"
            )
    del rng


_split_cache: dict[tuple[bool, str], list[str]] = {}


def compound_parts(tokens: list[str], is_word, *, ocr: bool) -> str:
    """``language.compound_parts`` over the text's words of 8+ letters, with ``split_compound``
    memoised per token: the same output."""
    from cases.search import language

    parts: list[str] = []
    seen: set[str] = set()
    for token in tokens:
        if token in seen:
            continue
        seen.add(token)
        split = _split_cache.get((ocr, token))
        if split is None:
            split = _split_cache[(ocr, token)] = language.split_compound(token, is_word)
        parts.extend(split)
    return " ".join(parts)


# --- Bulk load -----------------------------------------------------------------------------

_worker_state: dict = {}


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _vector_insert_sql() -> str:
    from cases.search import language

    vector = language.weighted_vector_sql([("A", "a"), ("B", "b"), ("C", "c"), ("D", "d")])
    vector = vector % {name: f"s.{name}" for name in "abcd"}
    return (
        "INSERT INTO cases_searchentry (document_id, case_id, board_id, kind, status, date, "
        "public, clean_vector, ocr_vector) SELECT s.document_id, s.case_id, s.board_id, s.kind, "
        f"s.status, s.date, s.public, CASE WHEN s.ocr THEN NULL ELSE {vector} END, "
        f"CASE WHEN s.ocr THEN {vector} END FROM bench_stage s"
    )


def _load_batch(args) -> tuple[int, float, float]:
    """Worker: generate one batch and load it (documents, references, search entries)."""
    import psycopg

    batch, first, last = args
    state = _worker_state
    started = time.perf_counter()
    documents, references, stage = make_batch(
        state["seeds"], state["cases"][first:last], state["cases"], batch, state["prefix_board"]
    )
    generated = time.perf_counter()
    conn = state.get("conn")
    if conn is None:
        conn = state["conn"] = psycopg.connect(state["dsn"])
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            "CREATE TEMP TABLE bench_stage (document_id bigint, case_id bigint, board_id bigint, "
            "kind text, status text, date date, public boolean, ocr boolean, a text, b text, "
            "c text, d text)"
        )
        conn.commit()
    with conn.cursor() as cursor:
        _copy(cursor, "cases_document", state["document_columns"], documents)
        _copy(cursor, "cases_reference", REFERENCE_COLUMNS, references)
        _copy(cursor, "bench_stage", STAGE_COLUMNS, stage)
        cursor.execute(state["insert_sql"])
        cursor.execute("TRUNCATE bench_stage")
    conn.commit()
    return len(documents), generated - started, time.perf_counter() - generated


def _dsn() -> str:
    from django.db import connection

    params = connection.get_connection_params()
    keys = ("host", "port", "user", "password", "dbname")
    return " ".join(f"{k}='{params[k]}'" for k in keys if params.get(k))


def _drop_secondary_indexes(cursor, tables: list[str]) -> None:
    """Drop the indexes that back no constraint for the load, remembering their definitions
    in ``bench_indexes`` (so a load that fails halfway still gets them back next time)."""
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_indexes (name text PRIMARY KEY, definition text NOT NULL)"
    )
    cursor.execute(
        "INSERT INTO bench_indexes SELECT i.indexname, i.indexdef FROM pg_indexes i "
        "JOIN pg_class c ON c.relname = i.indexname "
        "WHERE i.tablename = ANY(%s) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) ON CONFLICT DO NOTHING",
        [tables],
    )
    cursor.execute("SELECT name FROM bench_indexes")
    for (name,) in cursor.fetchall():
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _restore_secondary_indexes(cursor, log, *, workers: int) -> None:
    """Rebuild the dropped indexes, ``workers`` at a time (PostgreSQL 15 builds a GIN index
    in one process), the big GIN indexes first."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    cursor.execute(
        "SELECT name, definition FROM bench_indexes "
        "ORDER BY definition LIKE '%USING gin%' DESC, name"
    )
    todo = cursor.fetchall()
    dsn = _dsn()

    def create(item):
        name, definition = item
        started = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"SET maintenance_work_mem = '{1024 // workers}MB'")
            conn.execute(definition)
        return name, time.perf_counter() - started

    with ThreadPoolExecutor(workers) as pool:
        for name, elapsed in pool.map(create, todo):
            if elapsed > 1:
                log(f"  index {name}: {elapsed:.1f} s")
    cursor.execute("DROP TABLE bench_indexes")


def build(size: int, *, workers: int = 2, log=print) -> dict[str, float]:
    """Replace the corpus in the current (bench!) database by one of ``size`` documents."""
    with indexer_shortcuts():
        return _build(size, workers=workers, log=log)


def _build(size: int, *, workers: int, log) -> dict[str, float]:
    from django.db import connection

    from cases.models import Board, Case, Document

    assert connection.settings_dict["NAME"].startswith(BENCH_DB_PREFIX), "not a bench database"
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    seeds = load_seeds()
    check_fast_path(seeds)
    boards = list(Board.objects.order_by("pk"))
    prefixes = bench_prefixes(boards)
    for board in boards:
        if not board.dnr_prefixes:
            board.dnr_prefixes = [prefixes[board.pk]]
            board.save(update_fields=["dnr_prefixes"])
    cases = plan_cases(size, boards, prefixes, seeds)
    meetings, decisions = plan_decisions(cases, boards)
    timings["plan"] = time.perf_counter() - t0
    log(f"  planned {len(cases):,} cases, {len(decisions):,} decisions ({timings['plan']:.1f} s)")

    tables = [
        "cases_document",
        "cases_searchentry",
        "cases_searchcount",
        "cases_reference",
        "cases_case",
        "cases_decision",
        "cases_meeting",
    ]
    t1 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_meta")
        cursor.execute(
            "TRUNCATE cases_case, cases_document, cases_meeting, cases_searchword, cases_searchcount "
            "RESTART IDENTITY CASCADE"
        )
        _drop_secondary_indexes(cursor, tables)
        cursor.execute("SET session_replication_role = replica")
        case_rows = RowMaker(Case)
        _copy(
            cursor, "cases_case", case_rows.columns, (case_instance(c, case_rows)[1] for c in cases)
        )
        _copy(
            cursor,
            "cases_meeting",
            [
                "id",
                "board_id",
                "date",
                "location",
                "minutes_approved_on",
                "posted_on",
                "source_file",
                "created_at",
                "updated_at",
            ],
            meetings,
        )
        _copy(
            cursor,
            "cases_decision",
            ["id", "case_id", "meeting_id", "board_id", "year", "section", "decided_on", "text"],
            decisions,
        )
        cursor.execute("SET session_replication_role = origin")
    timings["cases"] = time.perf_counter() - t1

    # Documents, references and search entries: one worker per core
    batches, first, batch = [], 0, 0
    while first < len(cases):
        last, docs = first, 0
        while last < len(cases) and docs < DOCS_PER_BATCH:
            docs += cases[last].documents
            last += 1
        batches.append((batch, first, last))
        first, batch = last, batch + 1
    _worker_state.update(
        seeds=seeds,
        cases=cases,
        prefix_board={prefix: pk for pk, prefix in prefixes.items()},
        dsn=_dsn(),
        insert_sql=_vector_insert_sql(),
        document_columns=RowMaker(Document).columns,
        conn=None,
    )
    from cases.services.indexing import _folded_wordlist

    _folded_wordlist()  # load once before forking
    connection.close()
    t2 = time.perf_counter()
    loaded = gen_time = sql_time = 0.0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for count, gen, sql in pool.imap_unordered(_load_batch, batches):
            loaded += count
            gen_time += gen
            sql_time += sql
            if int(loaded) % (DOCS_PER_BATCH * 20) < count or loaded == size:
                elapsed = time.perf_counter() - t2
                log(
                    f"  {int(loaded):>9,} documents loaded  {elapsed:7.1f} s  "
                    f"({loaded / elapsed:,.0f}/s)"
                )
    timings["documents"] = time.perf_counter() - t2
    log(
        f"  worker time: text generation {gen_time:.0f} s, COPY + to_tsvector {sql_time:.0f} s "
        f"(summed over {workers} workers)"
    )

    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        # the count table, as migration 0028 fills it (the load ran without triggers)
        count_table = importlib.import_module("cases.migrations.0028_search_count_table")
        cursor.execute(count_table.FILL)
        _restore_secondary_indexes(cursor, log, workers=workers)
        for table in (
            "cases_case",
            "cases_document",
            "cases_reference",
            "cases_meeting",
            "cases_decision",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    timings["indexes"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    def vacuum(table):
        with psycopg.connect(_dsn(), autocommit=True) as conn:
            conn.execute(f"VACUUM (ANALYZE) {table}")

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(vacuum, tables))
    timings["vacuum"] = time.perf_counter() - t4
    from cases.services import indexing

    t5 = time.perf_counter()
    indexing.rebuild_search_vocabulary()
    timings["vocabulary"] = time.perf_counter() - t5
    # The cases' own search rows, as migration 0015 fills them for a register: a title is
    # OCR'd when the case has an OCR'd document.
    t6 = time.perf_counter()
    case_search = importlib.import_module("cases.migrations.0015_case_search")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_casesearchentry")
        cursor.execute(case_search.MARK_OCR_TITLES)
        cursor.execute("SELECT id FROM cases_case ORDER BY id")
        case_ids = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(case_ids), 5000):
        indexing.index_cases(case_ids[start : start + 5000])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casesearchentry")
    timings["case titles"] = time.perf_counter() - t6
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute(
            "INSERT INTO bench_meta VALUES ('size', %s), ('version', %s), ('built', now())",
            [str(size), CORPUS_VERSION],
        )
    timings["total"] = time.perf_counter() - t0
    return timings


def verify_vectors(sample: int = 200, *, log=print) -> int:
    """Re-index random documents through ``indexing.index_document`` and compare vectors.

    Returns the number of mismatches (0 = the bulk vectors are exactly the app's)."""
    from django.db import connection, transaction

    from cases.models import Document
    from cases.services import indexing

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT document_id FROM cases_searchentry TABLESAMPLE SYSTEM (1) LIMIT %s", [sample]
        )
        ids = [row[0] for row in cursor.fetchall()]
    mismatches = 0
    columns = "case_id, board_id, kind, status, date, public, clean_vector::text, ocr_vector::text"
    for pk in ids:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {columns} FROM cases_searchentry WHERE document_id = %s", [pk]
                )
                bulk = cursor.fetchone()
                indexing.index_document(document=Document(pk=pk))
                cursor.execute(
                    f"SELECT {columns} FROM cases_searchentry WHERE document_id = %s", [pk]
                )
                app = cursor.fetchone()
            transaction.set_rollback(True)  # leave the bench row as it was
        if bulk != app:
            mismatches += 1
            if mismatches <= 3:
                log(f"  MISMATCH document {pk}: bulk {str(bulk)[:200]} / app {str(app)[:200]}")
    log(
        f"  vector check: {len(ids) - mismatches}/{len(ids)} sampled documents identical to "
        "indexing.index_document"
    )
    return mismatches
