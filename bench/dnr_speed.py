"""How long ``find_dnrs`` takes on large texts (the issue's bound: 1 MB of text under a second).

    .venv/bin/python bench/dnr_speed.py

Texts: the four seed documents repeated to 1 MB (real agenda text, many numbers); 100 kB of
digits and dashes after a dnr word (the catastrophic-backtracking probe); 1 MB of digits,
dashes, slashes, dots and "Dnr" words at random.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cases.dnr import find_dnrs  # noqa: E402


def seeds_text(size: int) -> str:
    seeds = "\n\n".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "demo" / "seeds").glob("*.txt"))
    )
    return (seeds * (size // len(seeds) + 1))[:size]


def noise(size: int, alphabet: list[str], seed: int = 1) -> str:
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        part = rng.choice(alphabet)
        parts.append(part)
        length += len(part)
    return "".join(parts)[:size]


def timed(label: str, text: str, board: str | None = "Hässelby-Vällingby") -> None:
    start = time.perf_counter()
    matches = find_dnrs(text, board=board)
    elapsed = time.perf_counter() - start
    print(f"{label:<48} {len(text) / 1e6:5.2f} MB  {elapsed:6.3f} s  {len(matches):6d} numbers")


def main() -> None:
    timed("seed documents repeated", seeds_text(1_000_000))
    timed("Dnr + 100 kB of digits and dashes", "Dnr " + noise(100_000, ["1", "2", "-", "–"]))
    timed(
        "1 MB of dnr-like noise",
        noise(
            1_000_000,
            ["Dnr ", "dnr: ", "2019", "12", "/", "-", " – ", ".", ":", " ", "\n", "KS ", "1.2.4"],
        ),
    )


if __name__ == "__main__":
    main()
