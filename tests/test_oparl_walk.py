"""The validator walk: from System, follow every URL of the API over the seed documents,
check every object against the JSON schemas written from the OParl 1.1 specification
(cases/oparl/schemas.py), and check that the walk reaches every public case, meeting,
agenda item and handling and nothing that is not public."""

import datetime

import jsonschema
import pytest

from cases.models import AgendaItem, Case, Document, Meeting
from cases.oparl import schemas

API = "http://testserver/oparl/v1.1/"

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True  # the type keyword judges other values
    moment = datetime.datetime.fromisoformat(value)
    return moment.tzinfo is not None and "T" in value


@FORMATS.checks("date", raises=ValueError)
def _date(value) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.date.fromisoformat(value) is not None and len(value) == 10


@FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    return value.startswith(("http://", "https://")) and " " not in value


def _validator(schema: dict) -> jsonschema.Draft7Validator:
    root = {**schema, "components": {"schemas": schemas.components()}}
    return jsonschema.Draft7Validator(root, format_checker=FORMATS)


ANY_OBJECT = {
    "anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in [*schemas.OBJECTS, "Deleted"]]
}
LIST_PAGE = _validator(schemas.list_page(ANY_OBJECT))
OBJECT = _validator(ANY_OBJECT)


def _urls(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(API) else []
    if isinstance(value, list):
        return [url for item in value for url in _urls(item)]
    if isinstance(value, dict):
        return [url for item in value.values() for url in _urls(item)]
    return []


def _objects(value):
    """Every OParl object in a response, also the embedded ones."""
    if isinstance(value, list):
        for item in value:
            yield from _objects(item)
    elif isinstance(value, dict):
        if "type" in value and "id" in value:
            yield value
        for item in value.values():
            yield from _objects(item)


def walk(client, *, also_changes: bool = False) -> tuple[dict[str, dict], list[str]]:
    """Every object reached from System by id, and every URL fetched."""
    found, fetched, todo = {}, [], [API]
    while todo:
        url = todo.pop(0)
        if url in fetched:
            continue
        fetched.append(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        if not response["Content-Type"].startswith("application/json"):
            continue
        content = response.json()
        if "data" in content:
            errors = list(LIST_PAGE.iter_errors(content))
            if also_changes and "/body/stockholm/" in url and "?" not in url:
                todo.append(f"{url}?modified_since=2000-01-01T00:00:00Z")
        else:
            errors = list(OBJECT.iter_errors(content))
        assert [error.message for error in errors] == [], url
        for obj in _objects(content):
            found[obj["id"]] = obj
        todo += [u for u in _urls(content) if u not in fetched]
    return found, fetched


@pytest.fixture
def hidden(imported):
    """Seed material made non-public for the walk: a confidential and an unpublished
    handling, a makulerat case."""
    first, second = Document.objects.order_by("pk")[:2]
    Document.objects.filter(pk=first.pk).update(confidential=True, osl_reference="26 kap. 1 §")
    Document.objects.filter(pk=second.pk).update(published=False)
    case = Case.objects.exclude(documents__isnull=False).order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CANCELLED, cancelled_reason="Test")
    return first, second, case


def test_oparl_walk_reaches_every_public_seed_object_and_all_validate(client, seeds, hidden):
    confidential, unpublished, cancelled = hidden
    found, fetched = walk(client)
    reached = set(found)
    papers = {
        f"{API}paper/{pk}/" for pk in Case.objects.not_cancelled().values_list("pk", flat=True)
    }
    meetings = {f"{API}meeting/{pk}/" for pk in Meeting.objects.values_list("pk", flat=True)}
    items = {f"{API}agendaitem/{pk}/" for pk in AgendaItem.objects.values_list("pk", flat=True)}
    files = {
        f"{API}file/handling-{pk}/" for pk in Document.objects.public().values_list("pk", flat=True)
    }
    assert (len(papers), len(meetings), len(items), len(files)) == (228, 1, 16, 49)
    assert papers - reached == set()
    assert meetings - reached == set()
    assert items - reached == set()
    assert files - reached == set()
    hidden_ids = {
        f"{API}file/handling-{confidential.pk}/",
        f"{API}file/handling-{unpublished.pk}/",
        f"{API}paper/{cancelled.pk}/",
    }
    assert hidden_ids & reached == set()
    assert {obj["type"].rsplit("/", 1)[1] for obj in found.values()} == {
        "System",
        "Body",
        "LegislativeTerm",
        "Organization",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
    }
    assert not any(obj.get("deleted") for obj in found.values())


def test_oparl_walk_with_changes_shows_hidden_seed_objects_only_as_deleted(client, seeds, hidden):
    confidential, unpublished, cancelled = hidden
    found, fetched = walk(client, also_changes=True)
    deleted = {url for url, obj in found.items() if obj.get("deleted")}
    makulerade = Case.objects.filter(status=Case.Status.CANCELLED).values_list("pk", flat=True)
    assert cancelled.pk in makulerade and len(makulerade) == 3  # two in the seeds
    assert deleted == {
        f"{API}file/handling-{confidential.pk}/",
        f"{API}file/handling-{unpublished.pk}/",
        *(f"{API}paper/{pk}/" for pk in makulerade),
    }
