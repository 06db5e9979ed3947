"""What masking personnummer costs a search page's snippets: every snippet is cut from the
masked text (cases/search/snippets.py), so each hit's whole text is scanned once more.

Times ``mask_personal_numbers`` and a snippet with and without the mask over the seed
documents (demo/seeds, the meeting pack is 630,000 characters) and over a 150,000-character
piece of it (the largest handling a meeting pack splits into). No database.

    .venv/bin/python bench/personal_data.py [--repeat 20]
"""

import argparse
import os
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from cases.personal_data import mask_personal_numbers  # noqa: E402
from cases.search import language, snippets  # noqa: E402


def _median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--query", default="förskola")
    args = parser.parse_args()
    texts = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "demo" / "seeds").glob("*.txt"))
    }
    pack = max(texts.values(), key=len)
    texts["150 000 characters of the pack"] = pack[:150_000]
    terms = snippets.term_patterns(language.parse_query(args.query), None, ocr=False)
    print(f"load average {os.getloadavg()}, median of {args.repeat}, query {args.query!r}")
    print(f"{'text':34} {'chars':>8} {'mask ms':>8} {'snippet ms':>11} {'unmasked ms':>12}")
    for name, text in texts.items():
        mask = _median_ms(lambda text=text: mask_personal_numbers(text), args.repeat)
        cut = _median_ms(lambda text=text: snippets.snippet(text, terms), args.repeat)
        raw = _median_ms(lambda text=text: snippets._snippet(text, terms), args.repeat)
        print(f"{name:34} {len(text):>8} {mask:>8.2f} {cut:>11.2f} {raw:>12.2f}")


if __name__ == "__main__":
    main()
