from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search, name="search"),
    path("sok/export.csv", views.export_csv, name="export-csv"),
    path("sok/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("dnr/", views.dnr_lookup, name="dnr-lookup"),
    path("arende/<path:dnr>/", views.case_detail, name="case-detail"),
    path("namnd/<slug:slug>/", views.board_detail, name="board-detail"),
    path(
        "namnd/<slug:slug>/sammantrade/<str:date>/",
        views.meeting_detail,
        name="meeting-detail",
    ),
    path("bilaga/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
]
