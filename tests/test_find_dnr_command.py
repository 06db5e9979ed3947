"""`manage.py find_dnr`: lists the dnr in text files without touching the database."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

TEXT = (
    "Hässelby-Vällingby stadsdelsförvaltning Tjänsteutlåtande\n"
    "Strategi och internservice Dnr HV 2019/250\n"
    "Remiss från kommunstyrelsen\n"
    "Dnr KS 2019/656\n"
    "Svar på medborgarförslag, dnr 2019/12.\n"
    "Sammanträde 2019-08-29, telefon 08-508 04 052.\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("find_dnr", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def tu_file(tmp_path):
    path = tmp_path / "tu.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_find_dnr_command_prints_json_lines_with_exact_spans(tu_file):
    rows = [json.loads(line) for line in run("--json", "--board", "HV", str(tu_file)).splitlines()]

    assert [(r["raw"], r["key"], r["board"], r["relation"]) for r in rows] == [
        ("HV 2019/250", "HV 2019/250", "Hässelby-Vällingby", None),
        ("KS 2019/656", "KS 2019/656", "Kommunstyrelsen", "remiss-fran"),
        ("2019/12", "HV 2019/12", "Hässelby-Vällingby", "svar-pa"),
    ]
    assert all(TEXT[r["start"] : r["end"]] == r["raw"] for r in rows)
    assert {r["file"] for r in rows} == {str(tu_file)}
    assert set(rows[0]) == {"file", "raw", "start", "end", "key", "display", "board", "relation"}


def test_find_dnr_command_counts_offsets_in_characters_not_bytes(tmp_path):
    path = tmp_path / "å.txt"
    path.write_text("Ärendet Äldreomsorg, dnr HV 2019/375", encoding="utf-8")

    (row,) = [json.loads(line) for line in run("--json", str(path)).splitlines()]

    assert (row["start"], row["end"], row["raw"]) == (25, 36, "HV 2019/375")


def test_find_dnr_command_prints_swedish_table(tu_file):
    lines = run("--board", "Hässelby-Vällingby", str(tu_file)).splitlines()

    assert lines == [
        f"{tu_file}: 3 diarienummer",
        "     Rad  Diarienummer          Nämnd                     Relation",
        "       2  HV 2019/250           Hässelby-Vällingby",
        "       4  KS 2019/656           Kommunstyrelsen           remiss-fran",
        "       5  HV 2019/12            Hässelby-Vällingby        svar-pa",
    ]


def test_find_dnr_command_reads_several_files(tu_file, tmp_path):
    empty = tmp_path / "tom.txt"
    empty.write_text("Inga nummer här, bara 2019-08-29.", encoding="utf-8")

    output = run(str(empty), str(tu_file))

    assert output.splitlines()[0] == f"{empty}: 0 diarienummer"
    assert output.splitlines()[1] == f"{tu_file}: 3 diarienummer"


def test_find_dnr_command_reports_missing_file_in_swedish(tmp_path):
    missing = tmp_path / "saknas.txt"

    with pytest.raises(CommandError) as error:
        run(str(missing))

    assert str(error.value) == f"Filen ”{missing}” finns inte."


def test_find_dnr_command_reports_non_utf8_file_in_swedish(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"Dnr HV 2019/272 H\xe4sselby")

    with pytest.raises(CommandError) as error:
        run(str(path))

    assert str(error.value) == f"Filen ”{path}” är inte UTF-8-text."


def test_find_dnr_command_reports_directory_as_unreadable(tmp_path):
    with pytest.raises(CommandError) as error:
        run(str(tmp_path))

    assert str(error.value).startswith(f"Kan inte läsa filen ”{tmp_path}”:")
