"""Reads for the public pages of requests to see handlings."""

from django.db.models import Prefetch, Q

from ..models import Document
from .models import AccessOrder, AccessRequest, AccessRequestEvent, AccessRequestItem


def unpublished_documents(case) -> list[Document]:
    """The case's handlings the public page does not show (unpublished or confidential):
    listed by number, kind and date only, so that they can be requested."""
    return list(
        Document.objects.filter(case=case, cancelled=False)
        .filter(Q(published=False) | Q(confidential=True))
        .select_related("case")
        .order_by("sequence")
    )


def basket_documents(ids: list[int]) -> list[Document]:
    return list(
        Document.objects.filter(pk__in=ids, cancelled=False)
        .select_related("case", "case__board")
        .order_by("case__board__name", "case__dnr_key", "sequence")
    )


def order_for_status(token: str) -> AccessOrder | None:
    """The order behind a status link, with only its own requests, items and history."""
    requests = AccessRequest.objects.select_related("board").prefetch_related(
        Prefetch(
            "items",
            queryset=AccessRequestItem.objects.select_related("document", "document__case"),
        ),
        Prefetch("events", queryset=AccessRequestEvent.objects.order_by("at", "id")),
    )
    return (
        AccessOrder.objects.filter(token=token)
        .prefetch_related(Prefetch("requests", queryset=requests.order_by("board__name")))
        .first()
    )
