"""Shared data for the tests of requests to see handlings: two boards' cases, a public and
a confidential handling, and a registrator for each board (not superusers)."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from cases.models import BoardMembership, Case, Document
from cases.services import registering, roles

PASSWORD = "Ett-långt-lösenord-2026"
SECRET_TITLE = "Utredning om Kalle Karlssons ekonomiska bistånd"
SECRET_TEXT = "Kalle Karlsson har skulder hos Kronofogden."


@dataclass
class Register:
    hv_case: Case
    ks_case: Case
    hv_secret: Document
    ks_public: Document
    hv_registrar: User
    ks_registrar: User


def make_registrar(username: str, board, email: str, *, password: str | None = None) -> User:
    """A registrator of ``board``; without a password (hashing one costs a second), for
    tests that log in with ``client.force_login``."""
    user = User.objects.create_user(username, email=email, password=password, is_staff=True)
    BoardMembership.objects.create(user=user, board=board, role=BoardMembership.Role.REGISTRAR)
    roles.ensure_role_permissions(user=user)
    return user


@pytest.fixture
def register(hv, ks) -> Register:
    hv_case = registering.register_case(
        board=hv,
        dnr="HV 2026/40",
        title="Ansökan om ekonomiskt bistånd",
        registered_on=datetime.date(2026, 3, 2),
    )
    hv_case.title_protected = True
    hv_case.public_title = "Ärende om bistånd"
    hv_case.save()
    registering.add_document(
        case=hv_case,
        title="Tjänsteutlåtande om rutiner för bistånd",
        kind="tjansteutlatande",
        document_date=datetime.date(2026, 3, 3),
    )
    hv_secret = registering.add_document(
        case=hv_case,
        title=SECRET_TITLE,
        kind="skrivelse",
        document_date=datetime.date(2026, 3, 4),
        full_text=SECRET_TEXT,
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    ks_case = registering.register_case(
        board=ks,
        dnr="KS 2026/12",
        title="Remiss om parkeringsnormer",
        registered_on=datetime.date(2026, 2, 10),
    )
    ks_public = registering.add_document(
        case=ks_case,
        title="Remiss om parkeringsnormer",
        kind="remiss",
        document_date=datetime.date(2026, 2, 10),
    )
    return Register(
        hv_case=hv_case,
        ks_case=ks_case,
        hv_secret=hv_secret,
        ks_public=ks_public,
        hv_registrar=make_registrar("hv-registrator", hv, "registrator@hv.example"),
        ks_registrar=make_registrar("ks-registrator", ks, "registrator@ks.example"),
    )
