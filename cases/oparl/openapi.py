"""The OpenAPI 3.0 description of the API, built from the schemas in ``schemas.py``:
served at /oparl/v1.1/openapi.json and what the schemathesis test fuzzes."""

from . import schemas
from .params import DATE_FILTERS, MAX_LIMIT

PREFIX = "/oparl/v1.1"

_LIMIT = {
    "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    "description": "Antal objekt per sida (standard 50, högst 100).",
}


def list_parameters(cursor_prefixes: str = "") -> list[dict]:
    """The parameters of every list; ``after`` is a cursor of the list's own form (a file
    list runs over handlingar, h, then bilagor, b)."""
    prefix = f"[{cursor_prefixes}]" if cursor_prefixes else ""
    return [
        {**_LIMIT, "name": "limit"},
        {**_LIMIT, "name": "elementsPerPage"},
        {
            "name": "after",
            "in": "query",
            "schema": {"type": "string", "pattern": f"^{prefix}[0-9]{{1,18}}$"},
            "description": "Sidmarkören ur links.next; sätts av API:et.",
        },
        *_DATE_PARAMETERS,
    ]


_DATE_PARAMETERS = [
    *(
        {
            "name": name,
            "in": "query",
            "schema": {"type": "string", "format": "date-time"},
            "description": "Tidpunkt enligt ISO 8601. Med modified_since kommer också "
            "borttagna objekt (deleted: true).",
        }
        for name in DATE_FILTERS
    ),
]

_BODY_KEY = {
    "name": "key",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["stockholm"]},
}
_PK = {
    "name": "pk",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999},
}
_YEAR = {
    "name": "year",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 9999},
}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json({"$ref": "#/components/schemas/Error"}, description)


def _get(
    summary: str, schema: dict, parameters: list, *, listing: bool = False, cursor: str = ""
) -> dict:
    responses = {"200": _json(schema, "OK"), "404": _error("Finns inte")}
    if listing:
        responses["400"] = _error("Felaktig parameter")
    return {
        "get": {
            "summary": summary,
            "parameters": parameters + (list_parameters(cursor) if listing else []),
            "responses": responses,
        }
    }


def _text(summary: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [_PK],
            "responses": {
                "200": {
                    "description": "Texten",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                },
                "404": _error("Finns inte eller är inte offentlig"),
            },
        }
    }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def paths() -> dict:
    page = schemas.list_page
    body = f"{PREFIX}/body/{{key}}"
    either = schemas.or_deleted
    return {
        f"{PREFIX}/": _get("System", _ref("System"), []),
        f"{PREFIX}/body/": _get("Körperschaften", page(_ref("Body")), [], listing=True),
        f"{body}/": _get("Stockholms stad", _ref("Body"), [_BODY_KEY]),
        f"{body}/organization/": _get(
            "Nämnder", page(either("Organization")), [_BODY_KEY], listing=True
        ),
        f"{body}/person/": _get(
            "Personer (inga ännu)", page(_ref("Deleted")), [_BODY_KEY], listing=True
        ),
        f"{body}/membership/": _get(
            "Medlemskap (inga ännu)", page(_ref("Deleted")), [_BODY_KEY], listing=True
        ),
        f"{body}/meeting/": _get(
            "Sammanträden", page(either("Meeting")), [_BODY_KEY], listing=True
        ),
        f"{body}/paper/": _get("Ärenden", page(either("Paper")), [_BODY_KEY], listing=True),
        f"{body}/agendaitem/": _get(
            "Dagordningspunkter", page(_ref("AgendaItem")), [_BODY_KEY], listing=True
        ),
        f"{body}/consultation/": _get(
            "Behandlingar", page(_ref("Consultation")), [_BODY_KEY], listing=True, cursor="dr"
        ),
        f"{body}/file/": _get(
            "Handlingar och bilagor", page(either("File")), [_BODY_KEY], listing=True, cursor="hb"
        ),
        f"{body}/legislativeterm/": _get(
            "Mandatperioder", page(_ref("LegislativeTerm")), [_BODY_KEY], listing=True
        ),
        f"{PREFIX}/organization/{{pk}}/": _get("Nämnd", either("Organization"), [_PK]),
        f"{PREFIX}/organization/{{pk}}/meeting/": _get(
            "Nämndens sammanträden", page(either("Meeting")), [_PK], listing=True
        ),
        f"{PREFIX}/meeting/{{pk}}/": _get("Sammanträde", either("Meeting"), [_PK]),
        f"{PREFIX}/agendaitem/{{pk}}/": _get("Dagordningspunkt", _ref("AgendaItem"), [_PK]),
        f"{PREFIX}/paper/{{pk}}/": _get("Ärende", either("Paper"), [_PK]),
        f"{PREFIX}/consultation/dagordning-{{pk}}/": _get(
            "Behandling på ett sammanträde", _ref("Consultation"), [_PK]
        ),
        f"{PREFIX}/consultation/hanvisning-{{pk}}/": _get(
            "Behandling genom en annan nämnds handling", _ref("Consultation"), [_PK]
        ),
        f"{PREFIX}/file/handling-{{pk}}/": _get("Handling", either("File"), [_PK]),
        f"{PREFIX}/file/handling-{{pk}}/text/": _text("Handlingens text"),
        f"{PREFIX}/file/bilaga-{{pk}}/": _get("Bilaga", either("File"), [_PK]),
        f"{PREFIX}/file/bilaga-{{pk}}/text/": _text("Bilagans text"),
        f"{PREFIX}/legislativeterm/{{year}}/": _get(
            "Mandatperiod", _ref("LegislativeTerm"), [_YEAR]
        ),
    }


def description(request) -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Nämndportalen OParl 1.1",
            "version": "1.1",
            "description": "Stockholms stads nämnder, sammanträden, ärenden, handlingar och "
            "bilagor enligt OParl 1.1, bara det som är offentligt och publicerat. Skrivskyddat; "
            "Access-Control-Allow-Origin: *.",
        },
        "servers": [{"url": request.build_absolute_uri("/").rstrip("/")}],
        "paths": paths(),
        "components": {"schemas": schemas.components()},
    }
