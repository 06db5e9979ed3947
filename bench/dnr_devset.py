"""Precision, recall and owner accuracy of ``find_dnrs`` on the annotated development set.

    .venv/bin/python bench/dnr_devset.py [--texts DIR] [--verbose]

The annotations (``tests/dnr_devset/annotations.json``) are committed; the excerpts they
annotate are third-party text and live outside the repository, one file per excerpt in
``var/devset/texts/<id>.txt`` (see ``tests/dnr_devset/README.md`` for how they were made).

Scoring is strict: a number found counts only when its span is exactly the annotated one.
Each annotated ``raw`` is looked up in the text in order, after the previous one, so the
annotations carry no offsets of their own. Precision = exact hits / numbers returned, recall =
exact hits / numbers annotated, owner accuracy = among the annotated numbers that belong to
another body than the document's board, the share found with that owner.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "tests" / "dnr_devset" / "annotations.json"
TEXTS = ROOT / "var" / "devset" / "texts"


@dataclass
class Score:
    returned: int = 0
    annotated: int = 0
    hits: int = 0
    foreign: int = 0
    foreign_right: int = 0
    owner_right: int = 0
    misses: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    wrong_owner: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.hits / self.returned if self.returned else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.annotated if self.annotated else 1.0

    @property
    def foreign_owner_accuracy(self) -> float:
        return self.foreign_right / self.foreign if self.foreign else 1.0


def load_annotations(path: Path = ANNOTATIONS) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["excerpts"]


def gold_spans(text: str, excerpt: dict) -> list[tuple[int, int, str]]:
    """(start, end, owner) of each annotated number, found in order in the text."""
    spans = []
    position = 0
    for dnr in excerpt["dnrs"]:
        start = text.find(dnr["raw"], position)
        if start < 0:
            raise ValueError(f"{excerpt['id']}: ”{dnr['raw']}” is not in the text")
        end = start + len(dnr["raw"])
        spans.append((start, end, dnr["owner"]))
        position = end
    return spans


def score(excerpts: list[dict], texts: Path = TEXTS) -> Score:
    sys.path.insert(0, str(ROOT))
    from cases.dnr import find_dnrs

    total = Score()
    for excerpt in excerpts:
        text = (texts / f"{excerpt['id']}.txt").read_text(encoding="utf-8")
        gold = {(start, end): owner for start, end, owner in gold_spans(text, excerpt)}
        found = {(m.start, m.end): m.board for m in find_dnrs(text, board=excerpt["board"])}
        total.returned += len(found)
        total.annotated += len(gold)
        for span, owner in gold.items():
            label = f"{excerpt['id']}: {text[span[0] : span[1]]}"
            foreign = owner != excerpt["board"]
            total.foreign += foreign
            if span not in found:
                total.misses.append(label)
                continue
            total.hits += 1
            if found[span] == owner:
                total.owner_right += 1
                total.foreign_right += foreign
            else:
                total.wrong_owner.append(f"{label} → {found[span]} (not {owner})")
        total.false += [
            f"{excerpt['id']}: {text[start:end]}"
            for start, end in found
            if (start, end) not in gold
        ]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, default=TEXTS)
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    excerpts = load_annotations()
    missing = [e["id"] for e in excerpts if not (options.texts / f"{e['id']}.txt").exists()]
    if missing:
        print(
            f"{len(missing)} excerpts missing in {options.texts} (see tests/dnr_devset/README.md)"
        )
        return 1
    result = score(excerpts, options.texts)
    print(
        f"excerpts {len(excerpts)}, numbers annotated {result.annotated}, returned {result.returned}"
    )
    print(f"precision {result.precision:.3f}  recall {result.recall:.3f}")
    print(
        f"owner right {result.owner_right}/{result.hits} found; attributed to another body "
        f"{result.foreign_right}/{result.foreign} = {result.foreign_owner_accuracy:.3f}"
    )
    if options.verbose:
        for title, rows in (
            ("missed", result.misses),
            ("false", result.false),
            ("wrong owner", result.wrong_owner),
        ):
            print(f"-- {title} ({len(rows)})")
            for row in rows:
                print("  ", row.replace("\n", "⏎"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
