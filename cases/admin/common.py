"""What every admin module shares: the roles, no deleting, the CSV export action."""

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone

from .. import exports, queries
from ..models import Board, BoardMembership, Case

REGISTRAR = BoardMembership.Role.REGISTRAR


SECRETARY = BoardMembership.Role.SECRETARY


admin.site.disable_action("delete_selected")


class NoDeleteMixin:
    """Registrations are cancelled (makulerade), never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description="Exportera markerade till CSV")
def export_selected_csv(modeladmin, request, queryset):
    if queryset.model is Case:
        ids = (
            queries.staff_documents(request.user)
            .filter(case__in=queryset)
            .order_by("case__dnr_key", "sequence")
            .values_list("pk", flat=True)
        )
    else:
        ids = queryset.order_by("pk").values_list("pk", flat=True)
    rows = exports.export_rows(ids.iterator(), base_url=request.build_absolute_uri("/").rstrip("/"))
    response = StreamingHttpResponse(exports.csv_stream(rows), content_type="text/csv")
    filename = f"urval-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class StaffBoardMixin:
    """Change rights follow board membership; admins (superusers) may change everything."""

    board_roles: tuple[str, ...] = (REGISTRAR,)

    def board_of(self, obj) -> Board:
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        return queries.is_member(request.user, self.board_of(obj), *self.board_roles)

    def has_add_permission(self, request, *args):
        return (
            super().has_add_permission(request, *args)
            and queries.staff_boards(request.user, *self.board_roles).exists()
        )
