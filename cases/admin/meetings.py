"""Sammanträden, dagordningspunkter and beslut, kept by the board's nämndsekreterare."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from .. import queries
from ..forms import AgendaItemForm
from ..models import AgendaItem, Decision, Meeting
from ..services import registering
from .common import SECRETARY, StaffBoardMixin


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    form = AgendaItemForm
    extra = 0
    raw_id_fields = ["case"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["section", "case", "decided_on", "text"]
    raw_id_fields = ["case"]
    readonly_fields = ["section"]

    def has_add_permission(self, request, obj=None):
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
        for meeting in queryset:
            if not queries.is_member(request.user, meeting.board, SECRETARY):
                raise PermissionDenied
            added = registering.add_open_cases_to_agenda(meeting=meeting)
            messages.success(request, f"{added} ärenden lades till på {meeting}.")


@admin.register(AgendaItem)
class AgendaItemAdmin(StaffBoardMixin, admin.ModelAdmin):
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
class DecisionAdmin(StaffBoardMixin, admin.ModelAdmin):
    board_roles = (SECRETARY,)
    list_display = ["section", "year", "board", "case", "decided_on"]
    list_filter = ["board", "year"]
    raw_id_fields = ["case", "meeting"]
    readonly_fields = ["section", "year", "board"]
    fields = ["meeting", "case", "decided_on", "text", "section", "year", "board"]

    def board_of(self, obj):
        return obj.board

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        board = obj.meeting.board if obj.meeting else obj.case.board
        if not queries.is_member(request.user, board, SECRETARY):
            raise PermissionDenied
        created = registering.record_decision(
            case=obj.case, meeting=obj.meeting, decided_on=obj.decided_on, text=obj.text
        )
        obj.pk = created.pk
        obj.section, obj.year, obj.board = created.section, created.year, created.board
        obj._state.adding = False
