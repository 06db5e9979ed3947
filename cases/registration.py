"""Registering an incoming or drawn-up handling on one screen: the case with its next dnr,
the first handling, its first attachment and the cases it refers to, all or nothing."""

import datetime
from collections.abc import Sequence

from django.db import transaction

from . import attachments
from .models import Board, Case
from .services import cross_references, registering


@transaction.atomic
def register_case_with_handling(
    *,
    board: Board,
    title: str,
    document_kind: str,
    document_title: str,
    document_date: datetime.date,
    direction: str,
    counterpart: str,
    counterpart_private: bool = False,
    registered_by: str = "",
    class_code: str = "",
    officer: str = "",
    confidential: bool = False,
    osl_reference: str = "",
    title_protected: bool = False,
    public_title: str = "",
    upload: attachments.Upload | None = None,
    attachment_title: str = "",
    references: Sequence[tuple[Case, str]] = (),
) -> Case:
    """Register a new case (``registering.register_new_case``), add the uploaded file as bilaga 1
    of its first handling (with the handling's sekretess, and unpublished while the handling
    waits for review) and the references chosen, and index the handling with the
    attachment's text."""
    case = registering.register_new_case(
        board=board,
        title=title,
        document_kind=document_kind,
        document_title=document_title,
        document_date=document_date,
        direction=direction,
        counterpart=counterpart,
        counterpart_private=counterpart_private,
        registered_by=registered_by,
        class_code=class_code,
        officer=officer,
        confidential=confidential,
        osl_reference=osl_reference,
        title_protected=title_protected,
        public_title=public_title,
    )
    document = case.documents.get()
    if upload is not None:
        attachments.add_attachment(
            document=document,
            upload=upload,
            title=attachment_title,
            confidential=document.confidential,
            osl_reference=document.osl_reference,
            published=not document.review_pending,
        )
    for target, relation in references:
        cross_references.add_manual_reference(document=document, target=target, relation=relation)
    return case
