"""The README's architecture section matches the code: every module and package it names
exists, and it names the packages of the app and each module of the split models, admin, search and services."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _architecture() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Arkitektur", 1)[1].split("\n## ", 1)[0]


def _named_paths(section: str) -> set[str]:
    """``cases/x.py`` and ``cases/x/`` anywhere, and the indented ``name.py`` lines of the
    module tree under the package line above them."""
    named = set(re.findall(r"cases/[\w/]+(?:\.\w+|/)", section))
    package = None
    for line in section.splitlines():
        if match := re.match(r"(cases/[\w/]+/)\s", line):
            package = match.group(1)
        elif package and (match := re.match(r"\s{4}(\w+\.py)\s", line)):
            named.add(package + match.group(1))
    return named


def test_readme_names_only_modules_that_exist():
    missing = sorted(path for path in _named_paths(_architecture()) if not (ROOT / path).exists())

    assert missing == []


def test_readme_names_the_main_packages_and_their_modules():
    named = _named_paths(_architecture())
    packages = {
        "cases/models/",
        "cases/admin/",
        "cases/dnr/",
        "cases/importers/",
        "cases/access/",
        "cases/search/",
        "cases/services/",
    }
    modules = {
        f"cases/{package}/{path.name}"
        for package in ("models", "admin", "search", "services")
        for path in (ROOT / "cases" / package).glob("*.py")
        if path.name != "__init__.py"
    }

    assert sorted((packages | modules) - named) == []
