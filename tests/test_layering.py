"""The layering the house style promises: migrations are frozen (they import no app code, so
a later change to the app cannot change an old migration), and the pure modules (dnr, the
search text rules, the importers' parsers) run without Django; and no function in cases/ or
portal/ is over 60 lines unless its docstring says why."""

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


MAX_FUNCTION_LINES = 60
# A longer function says why in its docstring: "Longer than (or Over) the house limit"
# followed by the reason (four words at least).
LONG_REASON = re.compile(r"(?:Longer\s+than|Over)\s+the\s+house\s+limit\b\W+\w+(?:\W+\w+){3,}")


def _long_functions(paths, root: Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lines = node.end_lineno - node.lineno + 1
            reason = LONG_REASON.search(ast.get_docstring(node) or "")
            if lines > MAX_FUNCTION_LINES and reason is None:
                found.append(f"{path.relative_to(root)}: {node.name} ({lines} lines)")
    return found


def test_no_function_over_60_lines_without_a_reason_in_its_docstring():
    paths = sorted([*ROOT.glob("cases/**/*.py"), *ROOT.glob("portal/**/*.py")])

    assert _long_functions(paths) == []


def test_long_function_rule_counts_the_lines_and_reads_the_reason(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    short = tmp_path / "short.py"
    short.write_text(f"def short():\n{body}")
    long = tmp_path / "long.py"
    long.write_text(f"def long():\n{body}    return x0\n")
    reasoned = tmp_path / "reasoned.py"
    reasoned.write_text(
        'def reasoned():\n    """Longer than the house\n    limit: one statement, its parameters in '
        f'order."""\n{body}'
    )
    bare = tmp_path / "bare.py"
    bare.write_text(f'def bare():\n    """Longer than the house limit."""\n{body}')

    found = _long_functions([short, long, reasoned, bare], root=tmp_path)

    assert found == ["long.py: long (61 lines)", "bare.py: bare (61 lines)"]
