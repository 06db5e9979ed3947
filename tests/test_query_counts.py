"""Every public list page reads a constant number of queries, whatever it lists: the count
with three items equals the count with one, so an N+1 cannot creep in."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import AgendaItem, Attachment, Decision, Meeting, Reference
from tests.factories import CaseFactory, DocumentFactory


def _queries(client, url) -> int:
    client.get(url)  # caches that live a minute per process (search statistics) are warm
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _case_with_documents(board, count):
    case = CaseFactory(board=board, dnr_year=2020, title="Upprustning av Vinsta torg")
    for n in range(count):
        target = CaseFactory(board=board, title=f"Remiss {n} om Vinsta torg")
        document = DocumentFactory(case=case, title=f"Handling {n}")
        Attachment.objects.create(document=document, number=1, title=f"Bilaga {n}")
        Reference.objects.create(
            source=document,
            raw=target.dnr,
            dnr_key=target.dnr_key,
            display=target.dnr,
            board=board,
            target=target,
            status=Reference.Status.RESOLVED,
        )
    return case


def _meeting_with_items(board, count):
    meeting = Meeting.objects.create(board=board, date=datetime.date(2019, 8, 29))
    for n in range(count):
        case = CaseFactory(board=board, title=f"Ärende {n}")
        DocumentFactory(case=case, title=f"Tjänsteutlåtande {n}")
        AgendaItem.objects.create(meeting=meeting, number=n + 1, title=case.title, case=case)
        Decision.objects.create(
            case=case,
            meeting=meeting,
            board=board,
            year=2019,
            section=100 + n,
            decided_on=meeting.date,
            text="Nämnden godkänner förvaltningens förslag.",
        )
    return meeting


@pytest.mark.parametrize("page", ["home", "board", "case", "meeting", "search"])
def test_public_page_query_count_does_not_grow_with_items(client, db, hv, ks, page):
    """One round with one item, then one with three more (in another board, on another
    day or case, so the first round's rows may stay)."""
    counts = []
    for board, count in ((hv, 1), (ks, 3)):
        if page == "case":
            url = _case_with_documents(board, count).get_absolute_url()
        elif page == "meeting":
            meeting = _meeting_with_items(board, count)
            url = f"/namnd/{board.slug}/sammantrade/{meeting.date.isoformat()}/"
        else:
            for n in range(count):
                DocumentFactory(case=CaseFactory(board=board), title=f"Parkbänkar {n}")
            url = {"home": "/", "board": f"/namnd/{board.slug}/", "search": "/sok/?q=parkbänkar"}
            url = url[page]
        counts.append(_queries(client, url))

    assert counts[1] == counts[0]
