"""The dnr engine on the annotated development set of real agenda excerpts.

The excerpts are third-party text kept out of the repository (``var/devset/texts``; see
``tests/dnr_devset/README.md``); without them these tests skip and CI relies on the synthetic
examples in ``test_dnr_grammar.py``."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("dnr_devset", ROOT / "bench" / "dnr_devset.py")
devset = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = devset
SPEC.loader.exec_module(devset)

EXCERPTS = devset.load_annotations()
MISSING = [e["id"] for e in EXCERPTS if not (devset.TEXTS / f"{e['id']}.txt").exists()]
needs_texts = pytest.mark.skipif(
    bool(MISSING),
    reason=f"{len(MISSING)} development set texts are not in var/devset/texts "
    "(third-party text, not in the repository; see tests/dnr_devset/README.md)",
)


def test_devset_annotations_are_complete():
    ids = [e["id"] for e in EXCERPTS]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids)
    assert all(e["url"].startswith(("http://", "https://")) and e["board"] for e in EXCERPTS)
    assert all(d["raw"] and d["owner"] for e in EXCERPTS for d in e["dnrs"])


def test_devset_holds_no_page_kept_for_the_independent_measure():
    holdout = Path("/work/shared/holdout-exclude.txt")
    if not holdout.exists():
        pytest.skip("the holdout list is only on the development machine")
    kept = {
        line.strip().split("://", 1)[-1]
        for line in holdout.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert [e["url"] for e in EXCERPTS if e["url"].split("://", 1)[-1] in kept] == []


@needs_texts
def test_devset_every_annotated_number_is_in_its_text():
    for excerpt in EXCERPTS:
        text = (devset.TEXTS / f"{excerpt['id']}.txt").read_text(encoding="utf-8")
        assert len(devset.gold_spans(text, excerpt)) == len(excerpt["dnrs"])


@needs_texts
def test_devset_precision_recall_and_owners_meet_the_targets():
    score = devset.score(EXCERPTS)

    assert score.precision >= 0.98, score.false
    assert score.recall >= 0.95, score.misses
    assert score.foreign_owner_accuracy >= 0.9, score.wrong_owner
