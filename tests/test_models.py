import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import Attachment, Board, Case, Document
from tests.factories import CaseFactory, DocumentFactory


def test_boards_seeded_with_successors(db):
    jarva = Board.objects.get(short_name="Järva")

    predecessors = sorted(jarva.predecessors.values_list("short_name", flat=True))

    assert predecessors == ["Rinkeby-Kista", "Spånga-Tensta"]
    assert Board.objects.get(short_name="Rinkeby-Kista").valid_to == datetime.date(2023, 6, 30)
    assert jarva.valid_from == datetime.date(2023, 7, 1)
    assert Board.objects.filter(kind="stadsdelsnamnd", valid_to__isnull=True).count() == 11


def test_case_dnr_unique_per_board(hv, ks):
    CaseFactory(board=hv, dnr="HV 2019/272", dnr_key="HV 2019/272", dnr_number=272)
    CaseFactory(board=ks, dnr="HV 2019/272", dnr_key="HV 2019/272", dnr_number=272)

    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFactory(board=hv, dnr="HV2019/272", dnr_key="HV 2019/272", dnr_number=272)

    assert Case.objects.filter(dnr_key="HV 2019/272").count() == 2


def test_case_cannot_be_deleted(db):
    case = CaseFactory()

    with pytest.raises(IntegrityError, match="raderas aldrig"), transaction.atomic():
        case.delete()

    assert Case.objects.filter(pk=case.pk).exists()


def test_document_and_attachment_cannot_be_deleted(db):
    document = DocumentFactory()
    attachment = Attachment.objects.create(document=document, number=1, title="Karta")
    bare_document = DocumentFactory(case=document.case)

    with pytest.raises(IntegrityError, match="raderas aldrig"), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).delete()
    with pytest.raises(IntegrityError, match="raderas aldrig"), transaction.atomic():
        Document.objects.filter(pk=bare_document.pk).delete()
    with pytest.raises(IntegrityError, match="raderas aldrig"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_document WHERE id = %s", [document.pk])

    assert Document.objects.filter(case=document.case).count() == 2
    assert Attachment.objects.filter(pk=attachment.pk).count() == 1


def test_case_cancellation_requires_reason(db):
    case = CaseFactory()
    case.status = Case.Status.CANCELLED

    with pytest.raises(IntegrityError, match="case_cancel_needs_reason"), transaction.atomic():
        case.save()


def test_confidential_document_requires_osl_reference(db):
    with pytest.raises(IntegrityError, match="document_confidential_needs_osl"):
        DocumentFactory(confidential=True, osl_reference="")


def test_invalid_status_refused_by_database(db):
    case = CaseFactory()

    with pytest.raises(IntegrityError, match="case_status_valid"), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="borta")


def test_document_sequence_unique_within_case(db):
    document = DocumentFactory(sequence=1)

    with pytest.raises(IntegrityError, match="document_unique_sequence"):
        DocumentFactory(case=document.case, sequence=1)
