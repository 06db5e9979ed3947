from django.urls import path

from . import views
from .access import views as access_views
from .alerts import views as alert_views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    path("sok/", views.search, name="search"),
    path("sok/export.csv", views.export_csv, name="export-csv"),
    path("sok/export.xlsx", views.export_xlsx, name="export-xlsx"),
    path("sok/feed/", views.search_feed, name="search-feed"),
    path("dnr/", views.dnr_lookup, name="dnr-lookup"),
    path("arende/<path:dnr>/feed/", views.case_feed, name="case-feed"),
    path("arende/<path:dnr>/", views.case_detail, name="case-detail"),
    path("namnd/<slug:slug>/", views.board_detail, name="board-detail"),
    path(
        "namnd/<slug:slug>/arende/<path:dnr>/feed/",
        views.board_case_feed,
        name="board-case-feed",
    ),
    path(
        "namnd/<slug:slug>/arende/<path:dnr>/",
        views.board_case_detail,
        name="board-case-detail",
    ),
    path(
        "namnd/<slug:slug>/sammantrade/<str:date>/",
        views.meeting_detail,
        name="meeting-detail",
    ),
    path("namnd/<slug:slug>/feed/", views.board_feed, name="board-feed"),
    path("namnd/<slug:slug>/sammantraden/feed/", views.meetings_feed, name="board-meetings-feed"),
    path("sammantraden/feed/", views.meetings_feed, name="meetings-feed"),
    path("namnd/<slug:slug>/kalender.ics", views.calendar, name="board-calendar"),
    path("kalender.ics", views.calendar, name="calendar"),
    path("bilaga/<int:pk>/", views.attachment_download, name="attachment-download"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("bevaka/", alert_views.subscribe, name="alerts-subscribe"),
    path("bevaka/bekrafta/<str:token>/", alert_views.confirm, name="alerts-confirm"),
    path("bevaka/avsluta/<str:token>/", alert_views.unsubscribe, name="alerts-unsubscribe"),
    path("bevaka/mina/<str:token>/", alert_views.address, name="alerts-address"),
    path("begar/", access_views.basket, name="access-basket"),
    path("begar/lagg-till/", access_views.add_to_basket, name="access-add"),
    path("begar/ta-bort/", access_views.remove_from_basket, name="access-remove"),
    path("begaran/<str:token>/", access_views.order_status, name="access-status"),
]
