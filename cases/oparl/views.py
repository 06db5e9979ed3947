"""The API's views: parse the request, read, page, serialize; JSON with CORS, and the OParl
error object with a 4xx for every request the API cannot answer."""

import functools
import json
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from . import openapi, queries, serializers, terms
from .paging import fetch_page
from .params import ApiError, Cursor, ListParams, parse_list_params
from .serializers import BODY_KEY, Urls

ERROR_TYPE = "https://schema.oparl.org/1.1/Error"


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(status: int, message: str, debug: str = "") -> JsonResponse:
    error = {"type": ERROR_TYPE, "message": message}
    if debug:
        error["debug"] = debug
    return _cors(JsonResponse(error, status=status, json_dumps_params={"ensure_ascii": False}))


def api_view(view):
    """GET and HEAD only (OPTIONS for CORS preflight); ApiError becomes the error object."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "*"
            return _cors(response)
        if request.method not in ("GET", "HEAD"):
            response = error_response(405, "API:et kan bara läsas (GET).", request.method)
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            result = view(request, *args, **kwargs)
        except ApiError as error:
            return error_response(error.status, error.message, error.debug)
        if isinstance(result, HttpResponse):
            return _cors(result)
        return _cors(JsonResponse(result, json_dumps_params={"ensure_ascii": False}, safe=False))

    return wrapped


def _not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} finns inte.")


def _one(queryset, pk: int, what: str):
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise _not_found(what)
    return row


def _visible(source: queries.Source, row) -> bool:
    return source.queryset.filter(source.visible, pk=row.pk).exists()


# --- System and body -----------------------------------------------------------------------


@api_view
def system(request):
    return serializers.system(Urls(request), _times())


def _times() -> dict:
    times = queries.body_times()
    if times["created"] is None:  # a register without boards yet
        now = timezone.now()
        times = {"created": now, "modified": now}
    return times


def _check_body(key: str) -> None:
    if key != BODY_KEY:
        raise _not_found("Körperschaften (Body)")


def _body_object(urls: Urls) -> dict:
    embedded = [serializers.legislative_term(urls, term) for term in terms.legislative_terms()]
    return serializers.body(urls, _times(), embedded)


@api_view
def body_list(request):
    params = parse_list_params(request.GET)
    urls = Urls(request)
    data = [_body_object(urls)] if _passes(params, _times()) else []
    return _listing(request, data, params, next_cursor=None, prev=None)


@api_view
def body(request, key: str):
    _check_body(key)
    return _body_object(Urls(request))


# --- Lists ---------------------------------------------------------------------------------


def _passes(params: ListParams, times: dict) -> bool:
    """Date filters on an object held in Python (the body, the terms)."""
    for name, moment in params.dates:
        value = times["created"] if name.startswith("created") else times["modified"]
        if (name.endswith("since") and value < moment) or (
            name.endswith("until") and value > moment
        ):
            return False
    return True


def _listing(request, data, params: ListParams, *, next_cursor, prev) -> dict:
    base = request.build_absolute_uri(request.path)

    def link(cursor: Cursor | None) -> str:
        query = list(params.carried)
        if cursor is not None:
            query.append(("after", str(cursor)))
        return f"{base}?{urlencode(query)}" if query else base

    links = {"first": link(None), "self": link(params.after)}
    if prev is not None:
        links["prev"] = link(prev if isinstance(prev, Cursor) else None)
    if next_cursor is not None:
        links["next"] = link(next_cursor)
    return {"data": data, "pagination": {"elementsPerPage": params.limit}, "links": links}


def _paged(request, sources: tuple[queries.Source, ...]) -> dict:
    params = parse_list_params(request.GET)
    page = fetch_page(sources, params)
    urls = Urls(request)
    data = _serialize(urls, page.rows)
    prev = (page.prev_cursor or "first") if page.has_prev else None
    return _listing(request, data, params, next_cursor=page.next_cursor, prev=prev)


def _serialize(urls: Urls, rows) -> list[dict]:
    """The page's objects; what they embed is read for the page's visible rows only."""
    shown = {}
    for source, row, visible in rows:
        if visible:
            shown.setdefault(source.kind, []).append(row)
    embedded = {
        "consultations": queries.consultations_of(shown.get("paper", [])),
        "files": queries.files_of(shown.get("paper", [])),
        "agendas": queries.agenda_of(shown.get("meeting", [])),
    }
    data = []
    for source, row, visible in rows:
        if not visible:
            data.append(serializers.deleted(urls, source.kind, row))
        else:
            data.append(_object(urls, source.kind, row, embedded))
    return data


def _object(urls: Urls, kind: str, row, embedded: dict) -> dict:
    if kind == "paper":
        return serializers.paper(
            urls, row, embedded["consultations"][row.pk], embedded["files"][row.pk]
        )
    if kind == "meeting":
        return serializers.meeting(urls, row, embedded["agendas"][row.pk])
    if kind == "organization":
        return serializers.organization(urls, row)
    if kind == "agendaItem":
        return serializers.agenda_item(urls, row)
    if kind == "handling":
        return serializers.handling(urls, row)
    if kind == "bilaga":
        return serializers.bilaga(urls, row)
    return serializers.consultation(urls, kind, row)


@api_view
def body_organizations(request, key: str):
    _check_body(key)
    return _paged(request, (queries.ORGANIZATION,))


@api_view
def body_meetings(request, key: str):
    _check_body(key)
    return _paged(request, (queries.MEETING,))


@api_view
def body_papers(request, key: str):
    _check_body(key)
    return _paged(request, (queries.PAPER,))


@api_view
def body_agenda_items(request, key: str):
    _check_body(key)
    return _paged(request, (queries.AGENDA_ITEM,))


@api_view
def body_consultations(request, key: str):
    _check_body(key)
    return _paged(request, queries.CONSULTATIONS)


@api_view
def body_files(request, key: str):
    _check_body(key)
    return _paged(request, queries.FILES)


@api_view
def body_empty(request, key: str):
    """Persons and memberships: the register publishes no politicians' data yet."""
    _check_body(key)
    params = parse_list_params(request.GET)
    return _listing(request, [], params, next_cursor=None, prev=None)


@api_view
def body_terms(request, key: str):
    _check_body(key)
    params = parse_list_params(request.GET)
    urls = Urls(request)
    chosen = [
        term
        for term in terms.legislative_terms()
        if _passes(params, {"created": term.created, "modified": term.created})
    ]
    if params.after is not None:
        chosen = [term for term in chosen if term.start.year > params.after.pk]
    page = chosen[: params.limit]
    more = len(chosen) > params.limit
    next_cursor = Cursor("", page[-1].start.year) if more else None
    data = [serializers.legislative_term(urls, term) for term in page]
    prev = "first" if params.after is not None else None
    return _listing(request, data, params, next_cursor=next_cursor, prev=prev)


@api_view
def organization_meetings(request, pk: int):
    board = _one(queries.organizations(), pk, "Organisationen")
    source = queries.MEETING
    scoped = queries.Source(
        source.kind, source.prefix, source.queryset.filter(board=board), source.visible
    )
    return _paged(request, (scoped,))


# --- Objects -------------------------------------------------------------------------------


def _main_object(request, source: queries.Source, pk: int, what: str) -> dict:
    """A main object; one that is no longer public is shown as deleted (OParl 1.1, 2.8)."""
    row = _one(source.queryset, pk, what)
    urls = Urls(request)
    if not _visible(source, row):
        return serializers.deleted(urls, source.kind, row)
    return _serialize(urls, [(source, row, True)])[0]


@api_view
def organization(request, pk: int):
    return _main_object(request, queries.ORGANIZATION, pk, "Organisationen")


@api_view
def meeting(request, pk: int):
    return _main_object(request, queries.MEETING, pk, "Sammanträdet")


@api_view
def paper(request, pk: int):
    return _main_object(request, queries.PAPER, pk, "Ärendet")


@api_view
def file_handling(request, pk: int):
    return _main_object(request, queries.FILES[0], pk, "Handlingen")


@api_view
def file_bilaga(request, pk: int):
    return _main_object(request, queries.FILES[1], pk, "Bilagan")


def _public_row(source: queries.Source, pk: int, what: str):
    """A sub-object or a text: only while it is public, otherwise it does not exist."""
    return _one(source.queryset.filter(source.visible), pk, what)


@api_view
def agenda_item(request, pk: int):
    return serializers.agenda_item(Urls(request), _public_row(queries.AGENDA_ITEM, pk, "Punkten"))


@api_view
def consultation_agenda(request, pk: int):
    row = _public_row(queries.CONSULTATIONS[0], pk, "Behandlingen")
    return serializers.consultation(Urls(request), "agendaConsultation", row)


@api_view
def consultation_reference(request, pk: int):
    row = _public_row(queries.CONSULTATIONS[1], pk, "Behandlingen")
    return serializers.consultation(Urls(request), "referenceConsultation", row)


@api_view
def legislative_term(request, year: int):
    term = terms.term_starting(year)
    if term is None:
        raise _not_found("Mandatperioden")
    return serializers.legislative_term(Urls(request), term)


def _text(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@api_view
def file_handling_text(request, pk: int):
    return _text(serializers.handling_text(_public_row(queries.FILES[0], pk, "Handlingen")))


@api_view
def file_bilaga_text(request, pk: int):
    return _text(serializers.attachment_text(_public_row(queries.FILES[1], pk, "Bilagan")))


@api_view
def openapi_description(request):
    return HttpResponse(
        json.dumps(openapi.description(request), ensure_ascii=False),
        content_type="application/json",
    )


@api_view
def not_found(request):
    raise ApiError(404, "Adressen finns inte i API:et.", request.path)
