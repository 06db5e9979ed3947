"""The layering the house style promises: migrations are frozen (they import no app code, so
a later change to the app cannot change an old migration), and the pure modules (dnr, the
search text rules, the importers' parsers) run without Django."""

import ast
import re
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from cases.models import CaseSearchEntry
from tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = sorted((ROOT / "cases" / "migrations").glob("[0-9]*.py"))


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
    return names


def test_migrations_import_no_app_code():
    offending = {
        path.name: [
            name
            for name in _imported_modules(path)
            if (name == "cases" or name.startswith(("cases.", ".")))
            and not name.startswith("cases.migrations")
        ]
        for path in MIGRATIONS
    }
    assert {name: mods for name, mods in offending.items() if mods} == {}


def _pure_modules() -> list[str]:
    modules = ["cases.search", "cases.search.language", "cases.ocr_glyphs", "cases.kinds"]
    dnr = ROOT / "cases" / "dnr"
    if dnr.is_dir():
        modules += [f"cases.dnr.{p.stem}" for p in sorted(dnr.glob("*.py"))]
    else:
        modules.append("cases.dnr")
    modules += [
        f"cases.importers.{p.stem}"
        for p in sorted((ROOT / "cases" / "importers").glob("*.py"))
        if p.stem != "__init__"
    ]
    return modules


def test_pure_modules_import_without_django():
    modules = _pure_modules()
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] == 'django'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_reindex_cases_fills_the_case_search_table(db, hv):
    case = CaseFactory(board=hv, title="Upprustning av Vinsta torg")
    CaseSearchEntry.objects.all().delete()

    call_command("reindex_cases", verbosity=0)

    entry = CaseSearchEntry.objects.get(case=case)
    assert (entry.public, entry.board_id, "vinst" in str(entry.vector)) == (True, hv.pk, True)


def test_every_design_note_the_code_cites_exists():
    cited = set()
    for path in [*ROOT.glob("cases/**/*.py"), *ROOT.glob("bench/*.py"), ROOT / "README.md"]:
        cited.update(re.findall(r"docs/[\w-]+\.md", path.read_text(encoding="utf-8")))
    missing = sorted(name for name in cited if not (ROOT / name).is_file())
    assert (len(cited) >= 4, missing) == (True, [])
