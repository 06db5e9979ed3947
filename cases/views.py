"""Public pages. Views parse input, call one query, render."""

import datetime
import mimetypes

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.text import slugify

from . import calendars, exports, feeds, queries
from .access import queries as access_queries
from .access import stats as access_stats
from .access import views as access_views
from .filters import parse_page, parse_search, parse_year
from .models import Attachment, Board, Meeting
from .search import case_search, criteria, document_search


def home(request):
    active, former = queries.boards_for_home()
    return render(
        request,
        "cases/home.html",
        {
            "active_boards": active,
            "former_boards": former,
            "latest_cases": queries.latest_cases(),
        },
    )


def _search_form(request):
    """The validated search parameters, or None when the form has errors."""
    form, _query, filters = parse_search(request.GET)
    return form, filters


def _search_words(form) -> str:
    return (form.cleaned_data.get("q") or "").strip()


def search(request):
    """The search page: words or a dnr in one box; filters; bookmarkable GET URLs."""
    form, filters = _search_form(request)
    if filters is None:
        return render(request, "cases/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    query = (data.get("q") or "").strip()
    lookup = None
    if query and queries.looks_like_dnr(query):
        lookup = queries.lookup_dnr(query)
        if lookup.unique is not None:
            return redirect(_case_url(lookup.unique, lookup.document_sequence))
    near_misses = queries.near_miss_cases(query) if lookup and not lookup.cases else []
    show = data.get("visa") or SHOW_DOCUMENTS
    sort = data.get("sortering") or criteria.SORT_RELEVANCE
    page = int(data.get("sida") or 1)
    results = case_results = None
    if (query or filters.active) and show == SHOW_CASES:
        # the Ärenden tab: of the documents only their number (the other tab's label)
        results = document_search.count_documents(query=query, filters=filters)
        case_results = case_search.search_cases(query=query, filters=filters, sort=sort, page=page)
        results.case_total, results.case_total_capped = case_results.total, case_results.estimated
    elif query or filters.active:
        results = document_search.search_documents(
            query=query, filters=filters, sort=sort, page=page
        )
    return render(
        request,
        "cases/search.html",
        {
            "form": form,
            "query": query,
            "lookup": lookup,
            "near_misses": near_misses,
            "results": results,
            "case_results": case_results,
            "show": show,
            "export_default": _export_default(show, results),
            "exact_limit": case_search.EXACT_LIMIT,
            "filters": filters,
            "sorts": criteria.SORTS,
            "feed_url": _search_feed_url(request),
            "follow_target": feeds.feed_query(request.GET),
        },
    )


def _search_feed_url(request) -> str:
    query = feeds.feed_query(request.GET)
    return reverse("cases:search-feed") + (f"?{query}" if query else "")


def search_feed(request):
    """The newest hits of any search as Atom; bad parameters get the search page's 400."""
    form, filters = _search_form(request)
    if filters is None:
        return render(request, "cases/search.html", {"form": form}, status=400)
    link = reverse("cases:search") + "?" + feeds.feed_query(request.GET)
    content = feeds.search_feed(query=_search_words(form), filters=filters, link=link)
    return feeds.AtomFeed(content)(request)


SHOW_DOCUMENTS = "handlingar"
SHOW_CASES = "arenden"


def _export_default(show: str, results) -> str:
    """The export offered first: the tab's own, on the documents tab the cases when the
    search found more cases than documents."""
    documents = results and (results.total_estimate or results.total)
    if show == SHOW_CASES or (results and results.case_total > documents):
        return SHOW_CASES
    return SHOW_DOCUMENTS


def export_csv(request):
    return _export(request, fmt="csv")


def export_xlsx(request):
    return _export(request, fmt="xlsx")


def _export(request, *, fmt: str):
    """Every row of the current search result, in the order shown, as CSV or XLSX."""
    form, filters = _search_form(request)
    if filters is None:
        return render(request, "cases/search.html", {"form": form}, status=400)
    query = (form.cleaned_data.get("q") or "").strip()
    sort = form.cleaned_data.get("sortering") or criteria.SORT_RELEVANCE
    selection = form.cleaned_data.get("urval") or _mostly(query, filters)
    base_url = request.build_absolute_uri("/").rstrip("/")
    if selection == SHOW_CASES:
        found = case_search.result_ids(query=query, filters=filters, sort=sort)
        ids = exports.Limited(found, exports.EXPORT_LIMIT)
        rows = exports.case_export_rows(ids, base_url=base_url)
        columns, sheet_title = exports.CASE_COLUMNS, "Ärenden"
    else:
        found = document_search.result_ids(query=query, filters=filters, sort=sort)
        ids = exports.Limited(found, exports.EXPORT_LIMIT)
        rows = exports.export_rows(ids, base_url=base_url)
        columns, sheet_title = exports.COLUMNS, "Handlingar"
    filename = _export_filename(query, filters, fmt, selection)
    if fmt == "csv":
        # Streamed at once; a result over the limit ends with a line that says so.
        response = StreamingHttpResponse(
            exports.csv_stream(rows, ids, columns=columns), content_type="text/csv; charset=utf-8"
        )
    else:
        # A workbook is complete before it is sent, so the limit can still be a 400.
        parameters = exports.search_parameters(
            query=query,
            filters=filters,
            sort=criteria.SORTS.get(sort, sort),
            selection=sheet_title,
            url=base_url + request.get_full_path(),
        )
        workbook = exports.xlsx_file(
            rows, columns=columns, sheet_title=sheet_title, parameters=parameters
        )
        if ids.exceeded:
            workbook.close()
            message = exports.limit_message(exports.EXPORT_LIMIT)
            return render(request, "cases/error.html", {"message": message}, status=400)
        response = FileResponse(
            workbook,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# How far the export's default counts the cases and the documents of a search.
MOSTLY_LIMIT = 10_000


def _mostly(query: str, filters) -> str:
    """What a search found most of: its cases when more cases than documents match."""
    cases = case_search.count_matches(query=query, filters=filters, limit=MOSTLY_LIMIT)
    if not cases:
        return SHOW_DOCUMENTS
    documents = document_search.count_results(query=query, filters=filters, limit=MOSTLY_LIMIT)
    return SHOW_CASES if cases > documents else SHOW_DOCUMENTS


def _export_filename(query: str, filters, fmt: str, selection: str = SHOW_DOCUMENTS) -> str:
    """A name that says what it is: arenden-<query or filter>-<today>.<fmt> (handlingar-
    for the documents), ASCII only."""
    parts = ["arenden" if selection == SHOW_CASES else "handlingar"]
    label = query or (filters.board.slug if filters.board else "") or filters.kind
    if label:
        parts.append(slugify(fold_for_filename(label))[:40])
    parts.append(datetime.date.today().isoformat())
    return "-".join(p for p in parts if p) + f".{fmt}"


def fold_for_filename(text: str) -> str:
    return text.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))


def dnr_lookup(request):
    """Look a number up in any spelling: one match → the case page, several → a choice."""
    query = request.GET.get("q", "").strip()
    if not query:
        return render(request, "cases/dnr_lookup.html", {"query": ""})
    if len(query) > 100:
        return _bad_request(request, "Diarienumret är för långt (högst 100 tecken).")
    lookup = queries.lookup_dnr(query)
    if lookup.unique is not None:
        return redirect(_case_url(lookup.unique, lookup.document_sequence))
    status = 200 if lookup.cases else 404
    return render(
        request, "cases/dnr_lookup.html", {"query": query, "lookup": lookup}, status=status
    )


def case_detail(request, dnr: str):
    """The short address /arende/<dnr>/: one case → its permanent address, several → a
    choice whose links go to the permanent addresses."""
    lookup = queries.lookup_dnr(dnr)
    if lookup.unique is not None:
        return redirect(_case_url(lookup.unique, lookup.document_sequence))
    status = 200 if lookup.cases else 404
    return render(request, "cases/dnr_lookup.html", {"query": dnr, "lookup": lookup}, status=status)


def board_case_detail(request, slug: str, dnr: str):
    """The case page at its permanent address /namnd/<board>/arende/<dnr>/; any other
    spelling of the number, an alias or a document number redirects there."""
    board = get_object_or_404(Board, slug=slug)
    lookup, at_board = queries.lookup_board_dnr(board, dnr)
    if len(at_board) != 1:
        # none at this board (perhaps at others, which the page names), or several spellings
        # of a number without prefix: a choice of permanent addresses
        context = {"query": dnr, "lookup": lookup, "board": board, "at_board": at_board}
        status = 200 if at_board else 404
        return render(request, "cases/dnr_lookup.html", context, status=status)
    case = at_board[0]
    if dnr != case.dnr_key:
        return redirect(_case_url(case, lookup.document_sequence), permanent=False)
    highlight = _int_or_none(request.GET.get("handling"))
    page = queries.case_page(case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "page": page,
            "case": case,
            "highlight": highlight,
            "unpublished": access_queries.unpublished_documents(case),
            "basket": access_views.basket_ids(request),
        },
    )


def case_feed(request, dnr: str):
    lookup = queries.lookup_dnr(dnr)
    case = lookup.unique
    if case is None:
        raise Http404("Inget ärende med det diarienumret.")
    if dnr != case.dnr_key:
        return redirect(reverse("cases:case-feed", args=[case.dnr_key]))
    return feeds.AtomFeed(feeds.case_feed(case))(request)


def board_case_feed(request, slug: str, dnr: str):
    """The case's feed at its permanent address (the number alone can name several cases)."""
    board = get_object_or_404(Board, slug=slug)
    _lookup, at_board = queries.lookup_board_dnr(board, dnr)
    if len(at_board) != 1:
        raise Http404("Nämnden har inget ärende med det diarienumret.")
    case = at_board[0]
    if dnr != case.dnr_key:
        return redirect(reverse("cases:board-case-feed", args=[board.slug, case.dnr_key]))
    return feeds.AtomFeed(feeds.case_feed(case))(request)


def board_feed(request, slug: str):
    board = get_object_or_404(Board, slug=slug)
    return feeds.AtomFeed(feeds.board_feed(board))(request)


def meetings_feed(request, slug: str | None = None):
    board = get_object_or_404(Board, slug=slug) if slug else None
    return feeds.AtomFeed(feeds.meetings_feed(board))(request)


def calendar(request, slug: str | None = None):
    """A board's meetings (or every board's) as iCalendar: ``ar`` = a year or a range,
    this year and the next by default."""
    board = get_object_or_404(Board, slug=slug) if slug else None
    try:
        first, last = calendars.parse_years(request.GET.get("ar"), today=timezone.localdate())
    except calendars.BadYears as error:
        return _bad_request(request, str(error))
    meetings = calendars.calendar_meetings(board=board, first=first, last=last)
    name = f"Sammanträden: {board.name}" if board else "Sammanträden: Stockholms nämnder"
    base_url = request.build_absolute_uri("/").rstrip("/")
    etag = calendars.calendar_etag(meetings=meetings, name=name, base_url=base_url)
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        unchanged["ETag"] = etag
        return unchanged
    body = calendars.meetings_calendar(meetings=meetings, name=name, base_url=base_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    filename = f"sammantraden-{board.slug if board else 'alla'}.ics"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def board_detail(request, slug: str):
    board = get_object_or_404(Board.objects.select_related("successor"), slug=slug)
    try:
        page_number = parse_page(request.GET.get("sida"))
        year = parse_year(request.GET.get("ar"))
    except ValidationError as error:
        return _bad_request(request, " ".join(error.messages))
    page = queries.board_page(board, page=page_number, year=year)
    months = access_stats.board_statistics(board)
    return render(
        request,
        "cases/board_detail.html",
        {
            "board": board,
            "cases": page.cases,
            "meetings": page.meetings,
            "meeting_years": page.meeting_years,
            "meeting_year": page.year,
            # the year chosen stays when the cases are paged, the page when a year is chosen
            "year_query": f"&ar={year}" if year else "",
            "page_query": f"&sida={page_number}" if page_number > 1 else "",
            "access_months": months,
            "access_bars": access_stats.chart_bars(months),
        },
    )


def meeting_detail(request, slug: str, date: str):
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        return _bad_request(request, "Datumet ska skrivas ÅÅÅÅ-MM-DD.")
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board__slug=slug, date=day)
    return render(request, "cases/meeting_detail.html", {"page": queries.meeting_page(meeting)})


def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.public().select_related("document"), pk=pk)
    if not attachment.file:
        raise Http404("Bilagan finns inte som fil.")
    content_type = attachment.content_type or mimetypes.guess_type(attachment.file.name)[0]
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.public_file_name,
        content_type=content_type or "application/octet-stream",
    )


def accessibility(request):
    return render(request, "cases/accessibility.html")


def _case_url(case, document_sequence: int | None) -> str:
    url = case.get_absolute_url()
    if document_sequence:
        url += f"?handling={document_sequence}#handling-{document_sequence}"
    return url


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _bad_request(request, message: str):
    return render(request, "cases/error.html", {"message": message}, status=400)
