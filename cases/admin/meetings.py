"""Sammanträden, dagordningspunkter and beslut, kept by the board's nämndsekreterare.

A nämndsekreterare chooses meetings and cases only among their own boards' (the choices
and the raw-id lookups are limited, a typed id of another board's is refused with a Swedish
message), an agenda item or decision is about the meeting's board's own case
(``forms.MeetingCaseMixin``, ``registering.meeting_case_error``), and every save passes
``StaffBoardMixin.save_form``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import queries
from ..forms import AgendaItemForm, DecisionAdminForm
from ..models import AgendaItem, Decision, Meeting
from ..services import registering
from .common import SECRETARY, NoDeleteMixin, StaffBoardMixin

_NOT_YOURS = {
    "case": "Välj ett ärende hos en nämnd där du är nämndsekreterare.",
    "meeting": "Välj ett sammanträde hos en nämnd där du är nämndsekreterare.",
}


class OwnBoardChoicesMixin:
    """Cases and meetings to choose from: those of the user's boards as nämndsekreterare."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in _NOT_YOURS:
            boards = queries.staff_boards(request.user, SECRETARY)
            kwargs["queryset"] = db_field.related_model._default_manager.filter(board__in=boards)
            kwargs["error_messages"] = {"invalid_choice": _NOT_YOURS[db_field.name]}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AgendaItemInline(OwnBoardChoicesMixin, admin.TabularInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 0
    raw_id_fields = ["case"]


class DecisionInline(OwnBoardChoicesMixin, admin.TabularInline):
    model = Decision
    form = DecisionAdminForm
    extra = 0
    fields = ["section", "case", "decided_on", "text"]
    raw_id_fields = ["case"]
    readonly_fields = ["section"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A § stays in the minutes (append-only in the database, migration 0025).
        return False


@admin.register(Meeting)
class MeetingAdmin(StaffBoardMixin, admin.ModelAdmin):
    board_roles = (SECRETARY,)
    list_display = ["board", "date", "minutes_approved_on", "posted_on", "appeal_deadline"]
    list_filter = ["board"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline, DecisionInline]
    actions = ["add_open_cases_to_agenda"]

    def board_of(self, obj):
        return obj.board

    @admin.display(description="sista dag för överklagande")
    def appeal_deadline(self, obj):
        return obj.appeal_deadline

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "board":
            kwargs["queryset"] = queries.staff_boards(request.user, SECRETARY)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Lägg till nämndens öppna ärenden på dagordningen")
    def add_open_cases_to_agenda(self, request, queryset):
        meetings = list(queryset.select_related("board"))
        # All or nothing: one meeting of another board refuses the whole selection.
        if not all(queries.is_member(request.user, m.board, SECRETARY) for m in meetings):
            raise PermissionDenied
        with transaction.atomic():
            added = [
                (meeting, registering.add_open_cases_to_agenda(meeting=meeting, by=request.user))
                for meeting in meetings
            ]
        for meeting, count in added:
            messages.success(request, f"{count} ärenden lades till på {meeting}.")


@admin.register(AgendaItem)
class AgendaItemAdmin(OwnBoardChoicesMixin, StaffBoardMixin, admin.ModelAdmin):
    board_roles = (SECRETARY,)
    form = AgendaItemForm
    list_display = ["meeting", "number", "display_title", "case"]
    raw_id_fields = ["case", "meeting"]

    def board_of(self, obj):
        return obj.meeting.board

    @admin.display(description="rubrik")
    def display_title(self, obj):
        return obj.display_title


@admin.register(Decision)
class DecisionAdmin(OwnBoardChoicesMixin, StaffBoardMixin, NoDeleteMixin, admin.ModelAdmin):
    board_roles = (SECRETARY,)
    form = DecisionAdminForm
    list_display = ["section", "year", "board", "case", "decided_on"]
    list_filter = ["board", "year"]
    raw_id_fields = ["case", "meeting"]
    readonly_fields = ["section", "year", "board"]
    fields = ["meeting", "case", "decided_on", "text", "section", "year", "board"]

    def board_of(self, obj):
        # A new decision's board is its meeting's (or, without a meeting, its case's).
        return obj.meeting.board if obj.meeting_id else obj.case.board

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            created = registering.record_decision(
                case=obj.case,
                meeting=obj.meeting,
                decided_on=obj.decided_on,
                text=obj.text,
                by=request.user,
            )
        except registering.RegisterError as error:
            raise PermissionDenied(str(error)) from error
        obj.pk = created.pk
        obj.section, obj.year, obj.board = created.section, created.year, created.board
        obj._state.adding = False
