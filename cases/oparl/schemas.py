"""JSON schemas of the OParl 1.1 objects this API serves, written from the specification
(https://oparl.org/spezifikation/, chapter Schema), stricter where the API promises more:
no null, no empty string or list, and no property the specification does not name
(``additionalProperties: false``, so a field the public must not see cannot slip in).

They describe the responses in the OpenAPI description (``openapi.py``) and are what the
validator test checks every object against. Written in the subset of JSON Schema that
OpenAPI 3.0 shares (no ``const``, no type lists); references point to
``#/components/schemas/<Name>``.
"""

SCHEMA_URL = "https://schema.oparl.org/1.1/"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


URL = {"type": "string", "format": "uri", "minLength": 1}
TEXT = {"type": "string", "minLength": 1}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
BOOLEAN = {"type": "boolean"}
URL_LIST = {"type": "array", "items": URL, "minItems": 1}
TEXT_LIST = {"type": "array", "items": TEXT, "minItems": 1}


def _object(name: str, required: list[str], properties: dict) -> dict:
    common = {
        "id": URL,
        "type": {"type": "string", "enum": [f"{SCHEMA_URL}{name}"]},
        "license": URL,
        "keyword": TEXT_LIST,
        "web": URL,
        "created": DATE_TIME,
        "modified": DATE_TIME,
    }
    return {
        "type": "object",
        "required": ["id", "type", "created", "modified", *required],
        "properties": {**common, **properties},
        "additionalProperties": False,
    }


OBJECTS = {
    "System": _object(
        "System",
        ["oparlVersion", "body"],
        {
            "oparlVersion": {"type": "string", "enum": [SCHEMA_URL]},
            "otherOparlVersions": URL_LIST,
            "body": URL,
            "name": TEXT,
            "contactEmail": TEXT,
            "contactName": TEXT,
            "website": URL,
            "vendor": URL,
            "product": URL,
        },
    ),
    "Body": _object(
        "Body",
        ["name", "organization", "person", "meeting", "paper", "legislativeTerm"],
        {
            "system": URL,
            "contactEmail": TEXT,
            "contactName": TEXT,
            "ags": TEXT,
            "rgs": TEXT,
            "equivalent": URL_LIST,
            "shortName": TEXT,
            "name": TEXT,
            "website": URL,
            "licenseValidSince": DATE_TIME,
            "oparlSince": DATE_TIME,
            "organization": URL,
            "person": URL,
            "meeting": URL,
            "paper": URL,
            "legislativeTerm": {
                "type": "array",
                "items": _ref("LegislativeTerm"),
                "minItems": 1,
            },
            "agendaItem": URL,
            "consultation": URL,
            "file": URL,
            "locationList": URL,
            "legislativeTermList": URL,
            "membership": URL,
            "classification": TEXT,
        },
    ),
    "LegislativeTerm": _object(
        "LegislativeTerm",
        ["name", "startDate", "endDate"],
        {"body": URL, "name": TEXT, "startDate": DATE, "endDate": DATE},
    ),
    "Organization": _object(
        "Organization",
        ["name", "body"],
        {
            "body": URL,
            "name": TEXT,
            "membership": URL_LIST,
            "meeting": URL,
            "consultation": URL,
            "shortName": TEXT,
            "post": TEXT_LIST,
            "subOrganizationOf": URL,
            "organizationType": TEXT,
            "classification": TEXT,
            "startDate": DATE,
            "endDate": DATE,
            "website": URL,
            "externalBody": URL,
        },
    ),
    "Meeting": _object(
        "Meeting",
        ["name", "start", "organization"],
        {
            "name": TEXT,
            "meetingState": TEXT,
            "cancelled": BOOLEAN,
            "start": DATE_TIME,
            "end": DATE_TIME,
            "organization": URL_LIST,
            "participant": URL_LIST,
            "agendaItem": {"type": "array", "items": _ref("AgendaItem"), "minItems": 1},
        },
    ),
    "AgendaItem": _object(
        "AgendaItem",
        ["meeting", "order", "name"],
        {
            "meeting": URL,
            "number": TEXT,
            "order": {"type": "integer", "minimum": 0},
            "name": TEXT,
            "public": BOOLEAN,
            "consultation": URL,
            "result": TEXT,
            "resolutionText": TEXT,
            "start": DATE_TIME,
            "end": DATE_TIME,
        },
    ),
    "Paper": _object(
        "Paper",
        ["body", "name", "reference", "date"],
        {
            "body": URL,
            "name": TEXT,
            "reference": TEXT,
            "date": DATE,
            "paperType": TEXT,
            "relatedPaper": URL_LIST,
            "superordinatedPaper": URL_LIST,
            "subordinatedPaper": URL_LIST,
            "underDirectionOf": URL_LIST,
            "originatorOrganization": URL_LIST,
            "mainFile": _ref("File"),
            "auxiliaryFile": {"type": "array", "items": _ref("File"), "minItems": 1},
            "consultation": {"type": "array", "items": _ref("Consultation"), "minItems": 1},
        },
    ),
    "Consultation": _object(
        "Consultation",
        ["paper", "organization"],
        {
            "paper": URL,
            "agendaItem": URL,
            "meeting": URL,
            "organization": URL_LIST,
            "authoritative": BOOLEAN,
            "role": TEXT,
        },
    ),
    "File": _object(
        "File",
        ["name", "accessUrl", "mimeType", "paper"],
        {
            "name": TEXT,
            "fileName": TEXT,
            "mimeType": TEXT,
            "date": DATE,
            "size": {"type": "integer", "minimum": 0},
            "sha1Checksum": TEXT,
            "sha512Checksum": TEXT,
            "text": TEXT,
            "accessUrl": URL,
            "downloadUrl": URL,
            "externalServiceUrl": URL,
            "masterFile": URL,
            "derivativeFile": URL_LIST,
            "fileLicense": URL,
            "meeting": URL_LIST,
            "agendaItem": URL_LIST,
            "paper": URL_LIST,
        },
    ),
}

MAIN_TYPES = ("System", "Body", "Organization", "Meeting", "Paper", "File")

# A deleted main object keeps id, type and created; modified is when it was deleted (2.8).
DELETED = {
    "type": "object",
    "required": ["id", "type", "created", "modified", "deleted"],
    "properties": {
        "id": URL,
        "type": {"type": "string", "enum": [f"{SCHEMA_URL}{name}" for name in MAIN_TYPES]},
        "created": DATE_TIME,
        "modified": DATE_TIME,
        "deleted": {"type": "boolean", "enum": [True]},
    },
    "additionalProperties": False,
}

ERROR = {
    "type": "object",
    "required": ["type", "message"],
    "properties": {
        "type": {"type": "string", "enum": [f"{SCHEMA_URL}Error"]},
        "message": TEXT,
        "debug": TEXT,
    },
    "additionalProperties": False,
}


def list_page(item: dict) -> dict:
    """A list page (2.5): data, pagination and links; links.next on all but the last."""
    return {
        "type": "object",
        "required": ["data", "pagination", "links"],
        "properties": {
            "data": {"type": "array", "items": item},
            "pagination": {
                "type": "object",
                "properties": {
                    name: {"type": "integer", "minimum": 0}
                    for name in ("totalElements", "elementsPerPage", "currentPage", "totalPages")
                },
                "additionalProperties": False,
            },
            "links": {
                "type": "object",
                "properties": {
                    name: URL for name in ("first", "prev", "self", "next", "last", "web")
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


def or_deleted(name: str) -> dict:
    return {"oneOf": [_ref(name), _ref("Deleted")]}


def components() -> dict:
    return {**OBJECTS, "Deleted": DELETED, "Error": ERROR}
