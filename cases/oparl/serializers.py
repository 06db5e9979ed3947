"""One function per OParl type: a row the public may see, as the OParl 1.1 object.

Every object has ``id`` (its URL in the API), ``type``, ``created`` and ``modified``; empty
values are left out (OParl 1.1, 2.4: no null, no empty strings or lists). Titles are the
public form (a protected title as ``[Skyddat]`` or its public wording); personnummer are masked
in every text; the sender or recipient of a handling is never shown.
"""

import datetime
import mimetypes
from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from ..models import AgendaItem, Attachment, Board, Case, Document, Meeting, public_text
from ..models import Reference as ReferenceRow

SCHEMA = "https://schema.oparl.org/1.1/"
BODY_KEY = "stockholm"


def type_url(name: str) -> str:
    return f"{SCHEMA}{name}"


class Urls:
    """Absolute URLs in the API and on the public site, for one request.

    A list page holds about ten URLs per object: each route is reversed once into a
    template and filled in, since reversing each URL took most of a 100-object page's time.
    """

    _SENTINEL = "987654321987654321"  # fits every converter of our routes (digits, str)
    _templates: dict[tuple[str, str, int | str], list[str]] = {}

    def __init__(self, request):
        self.request = request
        self.origin = request.build_absolute_uri("/").rstrip("/")
        self.prefix = get_script_prefix()
        self._case_pages: dict[int, str] = {}

    def api(self, name: str, *args) -> str:
        key = (self.prefix, name, len(args))
        parts = self._templates.get(key)
        if parts is None:
            path = reverse(f"oparl:{name}", args=[self._SENTINEL] * len(args))
            parts = self._templates[key] = path.split(self._SENTINEL)
        url = [self.origin, parts[0]]
        for arg, part in zip(args, parts[1:], strict=True):
            url += [str(arg), part]
        return "".join(url)

    def site(self, path: str) -> str:
        """A public page's absolute URL; ``path`` comes from reverse() or
        get_absolute_url(), so it is already quoted."""
        return self.origin + path

    def case_page(self, case: Case) -> str:
        """``case.get_absolute_url()`` as an absolute URL, from a template per board: a
        papers page names some 230 cases' pages (its own and the citing ones), and each
        reverse() cost a twentieth of a millisecond. The number is quoted as reverse()
        quotes a path (per character, so quoting the parts is quoting the whole)."""
        url = self._case_pages.get(case.pk)
        if url is None:
            slug = case.board.slug
            key = (self.prefix, "case-page", slug)
            parts = self._templates.get(key)
            if parts is None:
                path = reverse("cases:board-case-detail", args=[slug, self._SENTINEL])
                parts = self._templates[key] = path.split(self._SENTINEL)
            number = quote(case.dnr_key, safe=RFC3986_SUBDELIMS + "/~:@")
            url = self._case_pages[case.pk] = self.origin + number.join(parts)
        return url


def iso(moment: datetime.datetime) -> str:
    """In the register's zone (settings.TIME_ZONE; the portal never activates another).
    localtime() looked the current zone up through a thread-local for each of the ~1,000
    times on a papers page."""
    return moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def compact(obj: dict) -> dict:
    """Leave out what is empty: OParl objects carry no null and no empty values."""
    return {key: value for key, value in obj.items() if value not in (None, "", [], {})}


def deleted(urls: Urls, kind: str, row) -> dict:
    """A deleted object: what OParl 1.1 (2.8) keeps, nothing of the content."""
    type_name, url = _identity(urls, kind, row)
    return {
        "id": url,
        "type": type_url(type_name),
        "created": iso(row.oparl_created),
        "modified": iso(row.oparl_modified),
        "deleted": True,
    }


def _identity(urls: Urls, kind: str, row) -> tuple[str, str]:
    if kind == "handling":
        return "File", urls.api("file-handling", row.pk)
    if kind == "bilaga":
        return "File", urls.api("file-bilaga", row.pk)
    if kind == "paper":
        return "Paper", urls.api("paper", row.pk)
    if kind == "meeting":
        return "Meeting", urls.api("meeting", row.pk)
    if kind == "organization":
        return "Organization", urls.api("organization", row.pk)
    raise ValueError(kind)


def system(urls: Urls, times: dict) -> dict:
    return compact(
        {
            "id": urls.api("system"),
            "type": type_url("System"),
            "oparlVersion": SCHEMA,
            "name": "Nämndportalen",
            "body": urls.api("body-list"),
            "website": urls.site(reverse("cases:home")),
            "web": urls.site(reverse("cases:home")),
            "created": iso(times["created"]),
            "modified": iso(times["modified"]),
        }
    )


def body(urls: Urls, times: dict, terms: list[dict]) -> dict:
    def listing(name: str) -> str:
        return urls.api(f"body-{name}", BODY_KEY)

    return compact(
        {
            "id": urls.api("body", BODY_KEY),
            "type": type_url("Body"),
            "system": urls.api("system"),
            "shortName": "Stockholm",
            "name": "Stockholms stad",
            "website": "https://start.stockholm/",
            "classification": "Kommun",
            "organization": listing("organization"),
            "person": listing("person"),
            "meeting": listing("meeting"),
            "paper": listing("paper"),
            "agendaItem": listing("agendaitem"),
            "consultation": listing("consultation"),
            "file": listing("file"),
            "membership": listing("membership"),
            "legislativeTermList": listing("legislativeterm"),
            "legislativeTerm": terms,
            "web": urls.site(reverse("cases:home")),
            "created": iso(times["created"]),
            "modified": iso(times["modified"]),
        }
    )


def legislative_term(urls: Urls, term) -> dict:
    return compact(
        {
            "id": urls.api("legislativeterm", term.start.year),
            "type": type_url("LegislativeTerm"),
            "body": urls.api("body", BODY_KEY),
            "name": term.name,
            "startDate": term.start.isoformat(),
            "endDate": term.end.isoformat(),
            "created": iso(term.created),
            "modified": iso(term.created),
        }
    )


def organization(urls: Urls, board: Board) -> dict:
    return compact(
        {
            "id": urls.api("organization", board.pk),
            "type": type_url("Organization"),
            "body": urls.api("body", BODY_KEY),
            "name": board.name,
            "shortName": board.short_name,
            "organizationType": "Gremium",
            "classification": board.get_kind_display(),
            "startDate": board.valid_from.isoformat() if board.valid_from else None,
            "endDate": board.valid_to.isoformat() if board.valid_to else None,
            "meeting": urls.api("organization-meeting", board.pk),
            "web": urls.site(board.get_absolute_url()),
            "created": iso(board.oparl_created),
            "modified": iso(board.oparl_modified),
        }
    )


def meeting(urls: Urls, row: Meeting, agenda: list[AgendaItem]) -> dict:
    # The register keeps the day of a sammanträde, not its hour: start is that day's midnight.
    start = timezone.make_aware(datetime.datetime.combine(row.date, datetime.time()))
    return compact(
        {
            "id": urls.api("meeting", row.pk),
            "type": type_url("Meeting"),
            "name": f"Sammanträde {row.board.name} {row.date.isoformat()}",
            "start": iso(start),
            "organization": [urls.api("organization", row.board_id)],
            "agendaItem": [agenda_item(urls, item) for item in agenda],
            "web": urls.site(row.get_absolute_url()),
            "created": iso(row.oparl_created),
            "modified": iso(row.oparl_modified),
        }
    )


def agenda_item(urls: Urls, item: AgendaItem) -> dict:
    case = item.case
    open_case = case is not None and not case.is_cancelled
    if case is not None and case.title_protected:
        name = case.display_title
    else:
        name = public_text(item.title) or (case.display_title if case else "")
    return compact(
        {
            "id": urls.api("agendaitem", item.pk),
            "type": type_url("AgendaItem"),
            "meeting": urls.api("meeting", item.meeting_id),
            "number": str(item.number),
            "order": item.number,
            "name": name,
            "public": True,
            "consultation": urls.api("consultation-agenda", item.pk) if open_case else None,
            "web": urls.site(item.meeting.get_absolute_url()),
            "created": iso(item.oparl_created),
            "modified": iso(item.oparl_modified),
        }
    )


def paper(
    urls: Urls,
    case: Case,
    consultations: list[tuple[str, object]],
    files: list[tuple[str, object]],
) -> dict:
    """A case; its public files are embedded without their text (the File's own URL has
    it), so a paper page stays small."""
    embedded = [
        handling(urls, row, with_text=False)
        if kind == "handling"
        else bilaga(urls, row, with_text=False)
        for kind, row in files
    ]
    return compact(
        {
            "id": urls.api("paper", case.pk),
            "type": type_url("Paper"),
            "body": urls.api("body", BODY_KEY),
            "name": case.display_title,
            "reference": case.dnr,
            "date": case.registered_on.isoformat(),
            "paperType": "Ärende",
            "underDirectionOf": [urls.api("organization", case.board_id)],
            "auxiliaryFile": embedded,
            "consultation": [consultation(urls, kind, row) for kind, row in consultations],
            "web": urls.case_page(case),
            "created": iso(case.oparl_created),
            "modified": iso(case.oparl_modified),
        }
    )


def consultation(urls: Urls, kind: str, row) -> dict:
    if kind == "agendaConsultation":
        return _agenda_consultation(urls, row)
    return _reference_consultation(urls, row)


def _agenda_consultation(urls: Urls, item: AgendaItem) -> dict:
    return compact(
        {
            "id": urls.api("consultation-agenda", item.pk),
            "type": type_url("Consultation"),
            "paper": urls.api("paper", item.case_id),
            "agendaItem": urls.api("agendaitem", item.pk),
            "meeting": urls.api("meeting", item.meeting_id),
            "organization": [urls.api("organization", item.meeting.board_id)],
            "authoritative": item.meeting.board_id == item.case.board_id,
            "role": "Dagordningspunkt",
            "created": iso(item.oparl_created),
            "modified": iso(item.oparl_modified),
        }
    )


def _reference_consultation(urls: Urls, reference: ReferenceRow) -> dict:
    """Another board's handling that refers to the paper (a remiss, an answer, a mention)."""
    source = reference.source
    return compact(
        {
            "id": urls.api("consultation-reference", reference.pk),
            "type": type_url("Consultation"),
            "paper": urls.api("paper", reference.target_id),
            "organization": [urls.api("organization", source.case.board_id)],
            "authoritative": False,
            "role": reference.get_relation_display() if reference.relation else "Hänvisning",
            "web": _handling_page(urls, source),
            "created": iso(reference.oparl_created),
            "modified": iso(reference.oparl_modified),
        }
    )


def _handling_page(urls: Urls, document: Document) -> str:
    url = urls.case_page(document.case)
    return f"{url}?handling={document.sequence}#handling-{document.sequence}"


def handling_text(document: Document) -> str:
    """The text of a public handling as the case page shows it (personnummer masked)."""
    return document.public_full_text


def attachment_text(attachment: Attachment) -> str:
    return attachment.public_text


def handling(urls: Urls, document: Document, *, with_text: bool = True) -> dict:
    text = handling_text(document) if with_text else None
    text_url = urls.api("file-handling-text", document.pk)
    return compact(
        {
            "id": urls.api("file-handling", document.pk),
            "type": type_url("File"),
            "name": document.display_title,
            "fileName": f"{document.case.dnr_key}-{document.sequence}.txt".replace("/", "-"),
            "mimeType": "text/plain",
            "size": len(text.encode()) if with_text else None,
            "text": text,
            "date": document.document_date.isoformat() if document.document_date else None,
            "accessUrl": text_url,
            "downloadUrl": text_url,
            "paper": [urls.api("paper", document.case_id)],
            "web": _handling_page(urls, document),
            "created": iso(document.oparl_created),
            "modified": iso(document.oparl_modified),
        }
    )


def bilaga(urls: Urls, attachment: Attachment, *, with_text: bool = True) -> dict:
    text = attachment_text(attachment) if with_text else None
    if attachment.file:
        file_url = urls.site(reverse("cases:attachment-download", args=[attachment.pk]))
        file_name = attachment.public_file_name
        mime_type = attachment.content_type or mimetypes.guess_type(file_name)[0]
        size = attachment.size
    else:
        file_url = urls.api("file-bilaga-text", attachment.pk)
        file_name, mime_type = None, "text/plain"
        size = len(text.encode()) if with_text else None
    return compact(
        {
            "id": urls.api("file-bilaga", attachment.pk),
            "type": type_url("File"),
            "name": attachment.display_title,
            "fileName": file_name,
            "mimeType": mime_type or "application/octet-stream",
            "size": size,
            "text": text,
            "accessUrl": file_url,
            "downloadUrl": file_url,
            "paper": [urls.api("paper", attachment.document.case_id)],
            "web": _handling_page(urls, attachment.document),
            "created": iso(attachment.oparl_created),
            "modified": iso(attachment.oparl_modified),
        }
    )
