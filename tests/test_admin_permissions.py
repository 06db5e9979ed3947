"""The permission matrix (issue 19): staff of Hässelby-Vällingby, in each role the code
knows, try every admin URL of Kommunstyrelsen's records by GET and POST. Each answer is
a refusal or the public form, no marker word of Kommunstyrelsen's confidential, protected
or unpublished material appears in any answer, and the database is unchanged.

The URLs come from the admin site's registry (each ModelAdmin's own URL patterns, its
actions, its and its inlines' autocomplete fields), so a new ModelAdmin is covered as soon
as it is registered; the test fails when a registered model has no records listed here.
"""

import datetime
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from cases.access import services as access
from cases.access.models import AccessRequest
from cases.models import (
    AgendaItem,
    Attachment,
    BackgroundRun,
    Board,
    BoardMembership,
    Case,
    CaseStatusChange,
    Decision,
    DnrSeries,
    Document,
    DocumentForReview,
    Meeting,
    PersonalDataFinding,
    Reference,
)
from cases.services import cross_references, indexing, registering, roles

MARKERS = [
    "zqxcasetitle",  # a protected case title
    "zqxdoctitle",  # a protected title of a published handling
    "zqxsender",  # a protected sender
    "zqxoldtitle",  # a confidential handling's title before a correction (history)
    "zqxconftitle",
    "zqxconfsummary",
    "zqxconftext",
    "zqxunpublished",  # an unpublished handling
    "zqxattconf",  # a confidential bilaga's title
    "zqxattext",  # its extracted text
    "zqxattfile",  # its file
    "zqxrequester",  # the address of someone asking Kommunstyrelsen for handlings
    "zqxrun",  # a background import of Kommunstyrelsen's
    "zqxprivate",  # a private person who wrote to Kommunstyrelsen, waiting for review
]
# Registered models without board records: staff have no permission on them at all.
BOARDLESS = {Group, User, AccessAttempt, AccessLog, AccessFailureLog, ProcrastinateJob}
ROLES = [[role] for role in BoardMembership.Role.values] + [BoardMembership.Role.values, []]
CHANGED = "Ändrat av fel nämnd"


def make_records(hv, ks, tmp_path, settings) -> dict:
    """Kommunstyrelsen's records by model, and Hässelby-Vällingby's to move them to."""
    settings.MEDIA_ROOT = tmp_path
    case = registering.register_case(
        board=ks, dnr="KS 2026/7", title="Bistånd zqxcasetitle", registered_on=_day()
    )
    case.title_protected, case.public_title = True, "Ärende om bistånd"
    case.save()
    registering.add_case_alias(case=case, dnr="KS 2026/8")
    public = registering.add_document(
        case=case,
        title="Utredning zqxdoctitle",
        kind="tjansteutlatande",
        title_protected=True,
        counterpart="Anna zqxsender",
        counterpart_protected=True,
        full_text="Se HV 2026/3 om parkbänkar.",
    )
    secret = registering.add_document(
        case=case,
        title="Utredning zqxoldtitle",
        kind="skrivelse",
        summary="zqxconfsummary",
        full_text="zqxconftext 19121212-1212 enligt HV 2026/3.",
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    secret.title = "Utredning zqxconftitle"
    secret.save()
    unpublished = registering.add_document(
        case=case, title="Utkast zqxunpublished", kind="skrivelse", published=False
    )
    private = registering.add_document(
        case=case,
        title="Synpunkt på parken",
        kind="skrivelse",
        direction="in",
        counterpart="Karin zqxprivate",
        counterpart_private=True,
        review_pending=True,
        published=False,
    )
    own_case = registering.register_case(
        board=hv, dnr="HV 2026/3", title="Parkbänkar", registered_on=_day()
    )
    own_document = registering.add_document(case=own_case, title="Svar", kind="skrivelse")
    attachments = [
        Attachment.objects.create(
            document=public,
            number=1,
            title="Bilaga zqxattconf",
            text="zqxattext",
            file=SimpleUploadedFile("utredning.txt", b"zqxattfile"),
            confidential=True,
            osl_reference="26 kap. 1 §",
        ),
        Attachment.objects.create(
            document=unpublished,
            number=1,
            title="Bilaga till zqxunpublished",
            file=SimpleUploadedFile("utkast.txt", b"zqxunpublished"),
        ),
    ]
    for document in (public, secret, unpublished, own_document):
        cross_references.record_references(document=document)
        indexing.index_document(document=document)
    PersonalDataFinding.objects.create(
        document=secret, kind="personnummer", masked_value="19121212-XXXX", start=12, end=25
    )
    registering.change_case_status(case=case, status="beslutat", note="Beslutat")
    meeting = Meeting.objects.create(board=ks, date=_day())
    own_meeting = Meeting.objects.create(board=hv, date=_day())
    AgendaItem.objects.create(meeting=meeting, number=1, title=case.display_title, case=case)
    registering.record_decision(case=case, meeting=meeting, decided_on=_day(), text="Bifall")
    ks_registrar = User.objects.create_user("ks-registrator", is_staff=True)
    BoardMembership.objects.create(user=ks_registrar, board=ks, role="registrator")
    roles.ensure_role_permissions(user=ks_registrar)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    access.submit_order(
        document_ids=[public.pk, secret.pk],
        email="zqxrequester@example.org",
        delivery="e-post",
        base_url="http://testserver",
    )
    BackgroundRun.objects.create(kind="import", board=ks, path="/import/zqxrun")
    return {
        "theirs": {
            Board: [ks],
            Case: [case],
            Document: [public, secret, unpublished],
            Attachment: attachments,
            DocumentForReview: [DocumentForReview.objects.get(pk=private.pk)],
            PersonalDataFinding: list(PersonalDataFinding.objects.filter(document=secret)),
            Reference: list(Reference.objects.filter(source__case=case)),
            Meeting: [meeting],
            AgendaItem: list(meeting.items.all()),
            Decision: list(case.decisions.all()),
            CaseStatusChange: list(case.status_changes.all()),
            DnrSeries: list(DnrSeries.objects.filter(board=ks)),
            BoardMembership: list(BoardMembership.objects.filter(board=ks)),
            BackgroundRun: list(BackgroundRun.objects.filter(board=ks)),
            AccessRequest: list(AccessRequest.objects.filter(board=ks)),
            User: [ks_registrar],
            Group: list(Group.objects.all()),
        },
        "ours": {
            Board: hv,
            Case: own_case,
            Document: own_document,
            Meeting: own_meeting,
            User: None,
        },
    }


def _day() -> datetime.date:
    return datetime.date(2026, 11, 26)


def snapshot() -> dict:
    """Every row of every table of the register (historical tables included) and the
    admin log."""
    tables = {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_app_config("cases").get_models()
    }
    return {**tables, "admin.LogEntry": LogEntry.objects.count()}


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def leaked(response, *, asked: str = "") -> list[str]:
    """The marker words in an answer, apart from a search term the page repeats."""
    text = body(response).replace(asked, "") if asked else body(response)
    return [marker for marker in MARKERS if marker in text]


def admin_urls(model_admin, obj) -> list[str]:
    """Every URL of the admin's own patterns for ``obj`` (and each of its history versions)."""
    urls = []
    for pattern in model_admin.get_urls():
        if not pattern.name:
            continue  # the "<id>/" redirect to the change page
        arguments = pattern.pattern.regex.groups
        if arguments == 0:
            urls.append(reverse(f"admin:{pattern.name}"))
        elif arguments == 1 and obj is not None:
            urls.append(reverse(f"admin:{pattern.name}", args=[obj.pk]))
        elif arguments == 2 and obj is not None:
            versions = obj.history.order_by("history_id") if hasattr(obj, "history") else []
            urls += [
                reverse(f"admin:{pattern.name}", args=[obj.pk, v.history_id]) for v in versions
            ]
    return urls


def autocomplete_queries(model_admin, request) -> list[dict]:
    queries = []
    for owner in [model_admin, *model_admin.get_inline_instances(request)]:
        for field in owner.get_autocomplete_fields(request):
            model = owner.model._meta
            for term in ["", "KS", *MARKERS]:
                queries.append(
                    {
                        "app_label": model.app_label,
                        "model_name": model.model_name,
                        "field_name": field,
                        "term": term,
                    }
                )
    return queries


def form_data(client, url: str) -> dict:
    """What a browser posts back from an admin form page, as an administrator sees it."""
    response = client.get(url)
    context = response.context if response.status_code == 200 else None
    if context is None or "adminform" not in context:
        return {}
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or hasattr(value, "url"):
                continue
            if isinstance(value, (list, tuple)):
                value = [str(v) for v in value]
            data[form[name].html_name] = "on" if value is True else value

    add(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form[name].html_name] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def changed(model, data: dict, records: dict, *, move: bool) -> dict:
    """``data`` with every text changed, the status cancelled, secrecy lifted, and with
    ``move`` every record it points to replaced by Hässelby-Vällingby's."""
    result = dict(data)
    for field in model._meta.concrete_fields:
        if not field.editable or field.primary_key:
            continue
        if isinstance(field, models.ForeignKey):
            target = records["ours"].get(field.related_model)
            if move and target is not None:
                result[field.name] = str(target.pk)
            elif field.name not in result and records["theirs"].get(field.related_model):
                result[field.name] = str(records["theirs"][field.related_model][0].pk)
        elif field.choices:
            values = [value for value, _label in field.flatchoices]
            result[field.name] = "makulerat" if "makulerat" in values else values[-1]
        elif isinstance(field, (models.CharField, models.TextField)):
            result[field.name] = CHANGED
        elif isinstance(field, models.DateField):
            result[field.name] = "2026-11-27"
        elif isinstance(field, (models.IntegerField, models.FloatField)):
            result[field.name] = "99"
        elif isinstance(field, models.BooleanField):
            if field.name in {"confidential", "title_protected", "counterpart_protected"}:
                result.pop(field.name, None)
            else:
                result[field.name] = "on"
    result.pop("file", None)
    return result


def staff_of_hv(hv, role_list) -> User:
    user = User.objects.create_user("hv-" + "-".join(role_list or ["utan-roll"]), is_staff=True)
    for role in role_list:
        BoardMembership.objects.create(user=user, board=hv, role=role)
    roles.ensure_role_permissions(user=user)
    return user


def test_every_registered_model_has_records_in_the_matrix(hv, ks, tmp_path, settings):
    records = make_records(hv, ks, tmp_path, settings)

    registered = set(admin.site._registry)

    assert registered - set(records["theirs"]) - BOARDLESS == set()


def test_markers_reach_the_boards_own_staff(client, admin_client, hv, ks, tmp_path, settings):
    """The control: the marker words are on the pages the matrix asks for, so their absence
    there means something."""
    records = make_records(hv, ks, tmp_path, settings)
    client.force_login(User.objects.get(username="ks-registrator"))

    seen = set()
    for model, objects in records["theirs"].items():
        model_admin = admin.site._registry[model]
        for obj in objects:
            for url in admin_urls(model_admin, obj):
                seen.update(leaked(client.get(url)))

    assert sorted(set(MARKERS) - seen) == ["zqxrun"]
    assert "zqxrun" in body(admin_client.get(f"/admin/cases/backgroundrun/{_run().pk}/change/"))


def _run() -> BackgroundRun:
    return BackgroundRun.objects.get(path="/import/zqxrun")


@pytest.mark.parametrize("role_list", ROLES, ids=lambda r: "+".join(r) or "utan-roll")
def test_other_boards_staff_are_refused_or_see_the_public_form(
    client, admin_client, hv, ks, tmp_path, settings, role_list
):
    records = make_records(hv, ks, tmp_path, settings)
    user = staff_of_hv(hv, role_list)
    superuser_request = RequestFactory().get("/admin/")
    superuser_request.user = User.objects.get(is_superuser=True)
    client.force_login(user)
    leaks, changes, answered = [], [], 0

    for model, model_admin in admin.site._registry.items():
        objects = records["theirs"].get(model, [])
        # What an administrator's browser would post, read before the user's requests.
        forms = {
            url: form_data(admin_client, url)
            for obj in objects
            for url in admin_urls(model_admin, obj)
            if re.search(r"/(change|history/\d+)/$", url)
        }
        registrations = []
        if model is Case:
            registrations.append(
                {
                    "hanvisning-TOTAL_FORMS": "0",
                    "hanvisning-INITIAL_FORMS": "0",
                    "board": str(ks.pk),
                    "title": CHANGED,
                    "document_kind": "skrivelse",
                    "direction": "in",
                    "document_date": "2026-11-02",
                    "counterpart": "Privatperson",
                }
            )
        actions = [a for a in model_admin.get_actions(superuser_request) if a != "delete_selected"]
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        before = snapshot()

        gets = [(url, "") for obj in [None, *objects] for url in admin_urls(model_admin, obj)]
        if model_admin.get_search_fields(superuser_request):
            gets += [(f"{changelist}?q={marker}", marker) for marker in MARKERS]
        for url, asked in gets:
            response = client.get(url)
            answered += 1
            leaks += [(url, marker) for marker in leaked(response, asked=asked)]
        for params in autocomplete_queries(model_admin, superuser_request):
            response = client.get("/admin/autocomplete/", params)
            answered += 1
            leaks += [(params, m) for m in leaked(response, asked=params["term"])]

        posts = []
        for url, data in forms.items():
            posts.append((url, changed(model, data, records, move=False)))
            posts.append((url, changed(model, data, records, move=True)))
            posts.append((url, {**changed(model, data, records, move=True), "_saveasnew": "1"}))
        posts += [(reverse("admin:cases_case_register"), data) for data in registrations]
        # Adding a record to Kommunstyrelsen's case, meeting, document or board.
        for url in admin_urls(model_admin, None):
            if url.endswith("/add/"):
                posts.append(
                    (url, changed(model, form_data(admin_client, url), records, move=False))
                )
        for obj in objects:
            posts += [(url, {"post": "yes"}) for url in admin_urls(model_admin, obj)]
            posts += [
                (changelist, {"action": action, "_selected_action": [obj.pk], "index": "0"})
                for action in actions
            ]
        for url, data in posts:
            response = client.post(url, data)
            answered += 1
            assert response.status_code < 500
            leaks += [(url, marker) for marker in leaked(response)]

        after = snapshot()
        changes += [(model._meta.label, table) for table in after if after[table] != before[table]]

    assert (leaks, changes) == ([], [])
    assert answered > 300
