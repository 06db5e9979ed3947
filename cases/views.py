"""Public pages. Views parse input, call one query, render."""

import datetime
import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from . import queries
from .models import Attachment, Board, Meeting


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
    lookup = queries.lookup_dnr(dnr)
    case = lookup.unique
    if case is None:
        status = 300 if lookup.cases else 404
        return render(
            request, "cases/dnr_lookup.html", {"query": dnr, "lookup": lookup}, status=status
        )
    if dnr != case.dnr_key:
        return redirect(_case_url(case, lookup.document_sequence), permanent=False)
    highlight = _int_or_none(request.GET.get("handling"))
    page = queries.case_page(case)
    return render(
        request, "cases/case_detail.html", {"page": page, "case": case, "highlight": highlight}
    )


def board_detail(request, slug: str):
    board = get_object_or_404(Board.objects.select_related("successor"), slug=slug)
    cases, meetings = queries.board_page(board)
    return render(
        request, "cases/board_detail.html", {"board": board, "cases": cases, "meetings": meetings}
    )


def meeting_detail(request, slug: str, date: str):
    try:
        day = datetime.date.fromisoformat(date)
    except ValueError:
        return _bad_request(request, "Datumet ska skrivas ÅÅÅÅ-MM-DD.")
    meeting = get_object_or_404(Meeting.objects.select_related("board"), board__slug=slug, date=day)
    return render(
        request,
        "cases/meeting_detail.html",
        {"meeting": meeting, "items": queries.meeting_page(meeting)},
    )


def attachment_download(request, pk: int):
    attachment = get_object_or_404(
        Attachment.objects.select_related("document"),
        pk=pk,
        published=True,
        confidential=False,
        cancelled=False,
        document__published=True,
        document__confidential=False,
        document__cancelled=False,
    )
    if not attachment.file:
        raise Http404("Bilagan finns inte som fil.")
    content_type = attachment.content_type or mimetypes.guess_type(attachment.file.name)[0]
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.file.name.rsplit("/", 1)[-1],
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
