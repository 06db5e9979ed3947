from django.urls import path, re_path, register_converter

from . import views


class ObjectId:
    """A database id: digits that fit a bigint (a longer number is simply not found)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(ObjectId, "oid")

app_name = "oparl"
urlpatterns = [
    path("", views.system, name="system"),
    path("openapi.json", views.openapi_description, name="openapi"),
    path("body/", views.body_list, name="body-list"),
    path("body/<str:key>/", views.body, name="body"),
    path("body/<str:key>/organization/", views.body_organizations, name="body-organization"),
    path("body/<str:key>/person/", views.body_empty, name="body-person"),
    path("body/<str:key>/membership/", views.body_empty, name="body-membership"),
    path("body/<str:key>/meeting/", views.body_meetings, name="body-meeting"),
    path("body/<str:key>/paper/", views.body_papers, name="body-paper"),
    path("body/<str:key>/agendaitem/", views.body_agenda_items, name="body-agendaitem"),
    path("body/<str:key>/consultation/", views.body_consultations, name="body-consultation"),
    path("body/<str:key>/file/", views.body_files, name="body-file"),
    path("body/<str:key>/legislativeterm/", views.body_terms, name="body-legislativeterm"),
    path("organization/<oid:pk>/", views.organization, name="organization"),
    path(
        "organization/<oid:pk>/meeting/",
        views.organization_meetings,
        name="organization-meeting",
    ),
    path("meeting/<oid:pk>/", views.meeting, name="meeting"),
    path("agendaitem/<oid:pk>/", views.agenda_item, name="agendaitem"),
    path("paper/<oid:pk>/", views.paper, name="paper"),
    path(
        "consultation/dagordning-<oid:pk>/", views.consultation_agenda, name="consultation-agenda"
    ),
    path(
        "consultation/hanvisning-<oid:pk>/",
        views.consultation_reference,
        name="consultation-reference",
    ),
    path("file/handling-<oid:pk>/", views.file_handling, name="file-handling"),
    path("file/handling-<oid:pk>/text/", views.file_handling_text, name="file-handling-text"),
    path("file/bilaga-<oid:pk>/", views.file_bilaga, name="file-bilaga"),
    path("file/bilaga-<oid:pk>/text/", views.file_bilaga_text, name="file-bilaga-text"),
    path("legislativeterm/<int:year>/", views.legislative_term, name="legislativeterm"),
    # anything else under the API, also a path with a newline (which <path:> does not
    # match), gets the API's JSON 404 rather than the site's HTML page
    re_path(r"^[\s\S]*\Z", views.not_found, name="not-found"),
]
