"""Least-privilege database (issue 19.8): the application role owns nothing and has only the
grants in deploy/app-grants.sql; append-only tables and registered numbers hold in the
database, for every role.

The roles are created in the test database by the same SQL the deployment runs
(deploy/roles.sql). Role names are per test database, because roles belong to the whole
PostgreSQL server and several test databases may share one.
"""

import datetime
import io
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases import attachments
from cases.models import Case, CaseAlias, DnrSeries, Document, Meeting, Reference
from cases.services import cross_references, indexing, registering
from portal import db_roles

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"
PERMISSION_DENIED = "42501"
REFUSED_BY_TRIGGER = "23000"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop_roles(cursor, *roles: str) -> None:
    for role in roles:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f"REASSIGN OWNED BY {_quoted(role)} TO CURRENT_USER")
            cursor.execute(f"DROP OWNED BY {_quoted(role)}")
            cursor.execute(f"DROP ROLE {_quoted(role)}")


@pytest.fixture(scope="module")
def roles(django_db_setup, django_db_blocker):
    """The owner and the application role in the test database, as deploy/ creates them."""
    database = connection.settings_dict["NAME"]
    owner, app = f"{database}_owner", f"{database}_app"
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            _drop_roles(cursor, app, owner)
            cursor.execute(
                db_roles.psql_script(
                    "roles.sql",
                    database=database,
                    owner=owner,
                    owner_password="ägarens-lösenord",
                    app=app,
                    app_password="appens-lösenord",
                )
            )
        db_roles.grant_app_role(app_role=app)
        yield {"owner": owner, "app": app}
        with connection.cursor() as cursor:
            _drop_roles(cursor, app, owner)


@contextmanager
def as_role(role: str):
    """Run the ORM (and the test client, which shares the connection) as ``role``."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {_quoted(role)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def sqlstate(statement: str) -> str | None:
    """The SQLSTATE the statement fails with (None if it succeeds), in a savepoint."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    except DatabaseError as error:
        return error.__cause__.sqlstate
    return None


@pytest.fixture
def registered(hv, ks):
    """A case with every kind of append-only row: history, alias, status change, decision,
    a dnr series, a reference read from the text and one a registrator added."""
    remiss = registering.register_case(
        board=ks, dnr="KS 2019/729", title="Remiss", registered_on=datetime.date(2019, 5, 2)
    )
    case = registering.register_new_case(
        board=hv,
        title="Medborgarförslag om parkbänkar",
        document_kind="medborgarforslag",
        document_title="Medborgarförslag",
        document_date=datetime.date(2026, 3, 2),
        direction="in",
        counterpart="Anna Andersson",
    )
    document = registering.add_document(
        case=case,
        title="Tjänsteutlåtande",
        kind="tjansteutlatande",
        full_text="Svar på remiss från Kommunstyrelsen, dnr KS 2019/729.",
    )
    cross_references.add_manual_reference(document=document, target=remiss)
    registering.add_case_alias(case=case, dnr="1.2.4-231-2026")
    registering.change_case_status(case=case, status="beslutat", note="Beslutat")
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 2))
    registering.record_decision(
        case=case, meeting=meeting, decided_on=datetime.date(2026, 4, 2), text="Bifall"
    )
    return case


REFUSED_FOR_THE_APP = {
    # Append-only: no grant to change or remove.
    "DELETE FROM cases_historicalcase": PERMISSION_DENIED,
    "UPDATE cases_historicaldocument SET title = 'ändrad'": PERMISSION_DENIED,
    "DELETE FROM cases_historicalattachment": PERMISSION_DENIED,
    "DELETE FROM cases_casestatuschange": PERMISSION_DENIED,
    "UPDATE cases_casestatuschange SET to_status = 'avslutat'": PERMISSION_DENIED,
    "DELETE FROM cases_casealias": PERMISSION_DENIED,
    "UPDATE cases_casealias SET dnr_key = 'HV 2026/99'": PERMISSION_DENIED,
    "DELETE FROM cases_decision": PERMISSION_DENIED,
    "DELETE FROM cases_dnrseries": PERMISSION_DENIED,
    "UPDATE cases_dnrseries SET year = year + 1": PERMISSION_DENIED,
    "DELETE FROM cases_case": PERMISSION_DENIED,
    "DELETE FROM cases_document": PERMISSION_DENIED,
    "DELETE FROM cases_attachment": PERMISSION_DENIED,
    "TRUNCATE cases_casestatuschange": PERMISSION_DENIED,
    "INSERT INTO django_migrations (app, name, applied) VALUES ('cases', 'x', now())": (
        PERMISSION_DENIED
    ),
    # It owns nothing: no switching the rules off.
    "ALTER TABLE cases_case DISABLE TRIGGER case_dnr_immutable": PERMISSION_DENIED,
    "ALTER TABLE cases_casealias DISABLE TRIGGER ALL": PERMISSION_DENIED,
    "DROP TRIGGER case_dnr_immutable ON cases_case": PERMISSION_DENIED,
    "DROP FUNCTION cases_refuse_renumbering()": PERMISSION_DENIED,
    "ALTER TABLE cases_case DROP CONSTRAINT cases_case_pkey": PERMISSION_DENIED,
    # Granted UPDATE, refused by the triggers: numbers stay as registered.
    "UPDATE cases_case SET dnr_number = dnr_number + 100": REFUSED_BY_TRIGGER,
    "UPDATE cases_case SET dnr = 'HV 2026/999', dnr_key = 'HV 2026/999'": REFUSED_BY_TRIGGER,
    "UPDATE cases_case SET board_id = (SELECT id FROM cases_board WHERE short_name = "
    "'Kommunstyrelsen')": REFUSED_BY_TRIGGER,
    "UPDATE cases_decision SET section = section + 1": REFUSED_BY_TRIGGER,
    "UPDATE cases_dnrseries SET last_number = 0": REFUSED_BY_TRIGGER,
    "DELETE FROM cases_reference WHERE start IS NULL": REFUSED_BY_TRIGGER,
    "UPDATE cases_reference SET dnr_key = 'KS 2019/1'": REFUSED_BY_TRIGGER,
}


def test_app_role_cannot_delete_renumber_or_switch_off_the_rules(roles, registered):
    with as_role(roles["app"]):
        found = {statement: sqlstate(statement) for statement in REFUSED_FOR_THE_APP}

    assert found == REFUSED_FOR_THE_APP
    assert Case.objects.get(pk=registered.pk).dnr == registered.dnr


REFUSED_FOR_EVERY_ROLE = [
    "DELETE FROM cases_historicalcase",
    "UPDATE cases_historicaldocument SET title = 'ändrad'",
    "DELETE FROM cases_casestatuschange",
    "UPDATE cases_casestatuschange SET note = 'ändrad'",
    "DELETE FROM cases_casealias",
    "UPDATE cases_casealias SET dnr_key = 'HV 2026/99'",
    "DELETE FROM cases_decision",
    "UPDATE cases_decision SET year = 2020",
    "DELETE FROM cases_dnrseries",
    "UPDATE cases_dnrseries SET last_number = last_number - 1",
    "UPDATE cases_case SET dnr_number = dnr_number + 100",
    "UPDATE cases_case SET dnr_year = 2020",
    "DELETE FROM cases_reference WHERE start IS NULL",
    "UPDATE cases_reference SET raw = 'KS 2019/1'",
]


def test_append_only_rules_hold_for_the_owner_and_superusers_too(registered):
    found = {statement: sqlstate(statement) for statement in REFUSED_FOR_EVERY_ROLE}

    assert found == dict.fromkeys(REFUSED_FOR_EVERY_ROLE, REFUSED_BY_TRIGGER)


def test_trigger_message_is_swedish(registered):
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        CaseAlias.objects.filter(case=registered).delete()

    assert str(error.value).splitlines()[0] == (
        "Rader i cases_casealias ändras och raderas aldrig (DELETE): lägg till en ny rad i stället."
    )


def test_what_may_change_still_changes(registered):
    """The columns the app must update: a case's title and status, a series' counter, a
    decision's text, a reference's resolution and relation, the text-read references."""
    document = registered.documents.get(sequence=2)
    case = Case.objects.get(pk=registered.pk)
    case.title = "Medborgarförslag om fler parkbänkar"
    case.save()
    decision = case.decisions.get()
    decision.text = "Bifall till förslaget"
    decision.save()
    remiss = Case.objects.get(dnr_key="KS 2019/729")
    cross_references.add_manual_reference(document=document, target=remiss, relation="for-kannedom")
    document.full_text = "Inga hänvisningar längre."
    document.save()
    cross_references.record_references(document=document)

    assert list(document.references.values_list("start", "relation")) == [(None, "for-kannedom")]
    assert Case.objects.get(pk=case.pk).title == "Medborgarförslag om fler parkbänkar"


def test_app_role_does_the_registrars_work(roles, registered, hv, settings, tmp_path, client):
    """Register, add a handling and a bilaga, references, alias, status, decision, index,
    rebuild the vocabulary, log in and out (axes, sessions), all as the application role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    User.objects.create_user("reg", password="Ett-långt-lösenord-2026", is_staff=True)

    with as_role(roles["app"]):
        case = registering.register_new_case(
            board=hv,
            title="Skrivelse om belysning",
            document_kind="skrivelse",
            document_title="Skrivelse",
            document_date=datetime.date(2026, 5, 4),
            direction="in",
            counterpart="Trafikkontoret",
        )
        document = registering.add_document(
            case=case, title="Remissvar", kind="remissvar", full_text="Se KS 2019/729."
        )
        attachments.add_attachment(
            document=document,
            upload=attachments.read_upload(SimpleUploadedFile("karta.txt", b"Karta")),
            title="Karta",
        )
        document.full_text = "Se HV 2026/1 och KS 2019/729."
        document.save()
        cross_references.record_references(document=document)
        registering.add_case_alias(case=case, dnr="1.2.4-300-2026")
        registering.change_case_status(case=case, status="avslutat")
        registering.record_decision(
            case=case, meeting=None, decided_on=datetime.date(2026, 5, 20), text="Bifall"
        )
        indexing.index_document(document=document)
        indexing.rebuild_search_vocabulary()
        failed = client.post("/admin/login/", {"username": "reg", "password": "fel"})
        logged_in = client.post(
            "/admin/login/?next=/admin/",
            {"username": "reg", "password": "Ett-långt-lösenord-2026"},
        )
        logged_out = client.post("/admin/logout/")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            user = cursor.fetchone()[0]

    assert user == roles["app"]
    assert case.dnr == "HV 2026/2"
    assert DnrSeries.objects.get(board=hv, year=2026).last_number == 2
    assert sorted(document.references.values_list("display", flat=True)) == [
        "HV 2026/1",
        "KS 2019/729",
    ]
    assert (failed.status_code, logged_in.status_code, logged_out.status_code) == (
        200,
        302,
        200,
    )


def test_app_role_imports_documents(roles, hv):
    """The import registers cases, handlingar and their references; a second run of the
    same folder passes too."""
    with as_role(roles["app"]):
        call_command("import_documents", str(SEEDS), board="Hässelby-Vällingby", verbosity=0)
        first = (Document.objects.count(), Reference.objects.count())
        call_command("import_documents", str(SEEDS), board="Hässelby-Vällingby", verbosity=0)

    assert first == (51, Reference.objects.count())
    assert Document.objects.count() == 51
    assert Reference.objects.count() > 0


def test_application_role_logs_in_and_is_refused(roles, db):
    """A real login as the application role, as the web server makes it."""
    params = connection.get_connection_params()
    params.update(user=roles["app"], password="appens-lösenord")
    params.pop("cursor_factory", None)
    params.pop("context", None)

    with psycopg.connect(**params, autocommit=True) as app:
        user = app.execute("SELECT current_user").fetchone()[0]
        owns = app.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = current_user"
        ).fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("DELETE FROM cases_casestatuschange")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("ALTER TABLE cases_case DISABLE TRIGGER ALL")

    assert (user, owns) == (roles["app"], 0)


def test_migrate_grants_the_app_role_its_rights(roles, db, settings):
    """After migrate (post_migrate), the role has exactly the rights of app-grants.sql."""
    settings.DATABASE_APP_ROLE = roles["app"]
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {_quoted(roles['app'])}")

    call_command("migrate", "cases", verbosity=0, stdout=io.StringIO())

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, p, has_table_privilege(%s, t, p) FROM unnest(%s::text[]) t, "
            "unnest(%s::text[]) p ORDER BY t, p",
            [
                roles["app"],
                ["cases_case", "cases_casealias", "django_session"],
                ["SELECT", "INSERT", "UPDATE", "DELETE"],
            ],
        )
        rights = {(t, p) for t, p, granted in cursor.fetchall() if granted}
    assert rights == {
        ("cases_case", "SELECT"),
        ("cases_case", "INSERT"),
        ("cases_case", "UPDATE"),
        ("cases_casealias", "SELECT"),
        ("cases_casealias", "INSERT"),
        ("django_session", "SELECT"),
        ("django_session", "INSERT"),
        ("django_session", "UPDATE"),
        ("django_session", "DELETE"),
    }


def test_app_role_may_delete_whatever_the_admin_offers_to_delete(roles, db, rf):
    """A delete button in the admin must not end in a permission error: every admin page
    and inline that lets even a superuser delete is on a table the app may delete from."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    offered = set()
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_delete_permission(request):
            offered.add(model._meta.db_table)
        for inline in model_admin.get_inline_instances(request):
            if inline.can_delete and inline.has_delete_permission(request, None):
                offered.add(inline.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) t WHERE NOT has_table_privilege(%s, t, 'DELETE')",
            [sorted(offered), roles["app"]],
        )
        refused = [row[0] for row in cursor.fetchall()]

    assert refused == []
    assert "cases_agendaitem" in offered
