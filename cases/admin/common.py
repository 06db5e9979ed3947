"""What every admin module shares: the roles, no deleting, the CSV export action, and the
board rules every registrator's and nämndsekreterare's page follows (StaffBoardMixin)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, StreamingHttpResponse
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
    """Rights follow board membership; admins (superusers) may do everything.

    Staff see other boards' records as the public does, by one rule at each layer:
    - what rows: ``queries.staff_documents``/``staff_attachments`` (the admins' querysets,
      inlines, downloads, exports) give other boards' rows only when they are public;
    - labels: ``Case.__str__`` and ``Document.__str__`` are the public title, so page
      titles, breadcrumbs, lists, choices and autocomplete results never show a protected
      one;
    - fields: on another board's change page ``public_forms`` swaps a raw field for its
      public form (a protected title, a protected sender);
    - search: ``get_search_results`` matches raw titles only of the user's boards' rows
      (``queries.staff_title_search``);
    - history: only for the staff of the object's board (below).

    - Changing and adding need one of ``board_roles`` at the object's board
      (``board_of``). Every save, from the change form, the add form and simple-history's
      revert form alike, passes ``save_form``, which refuses (403, nothing written) when
      the user lacks the role at the board the object belongs to before the change or
      would belong to after it: a POST cannot move an object to or from another board.
    - History (the list of versions and each version) is for the staff of the object's
      board only: old versions may hold what is now protected, and the public sees no
      history at all.
    """

    board_roles: tuple[str, ...] = (REGISTRAR,)
    # Fields another board's staff see in their public form: field -> the admin's display
    # method showing that form, or None to leave the field out.
    public_forms: dict[str, str | None] = {}

    def board_of(self, obj) -> Board:
        raise NotImplementedError

    def shows_public_form(self, request, obj) -> bool:
        return obj is not None and not queries.is_member(request.user, self.board_of(obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.public_forms or not self.shows_public_form(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": _public(options["fields"], self.public_forms)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.public_forms and self.shows_public_form(request, obj):
            readonly += [shown for shown in self.public_forms.values() if shown]
        return readonly

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Django's change view turns any POST with "_saveasnew" into an add from the posted
        # data, offered or not; here it is not offered (save_as), so it is refused (a case is
        # registered only through the registration, with its dnr allocated).
        if request.method == "POST" and "_saveasnew" in request.POST and not self.save_as:
            raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        boards = [self.board_of(obj)]
        if change:
            boards.append(self.board_of(type(obj)._default_manager.get(pk=obj.pk)))
        if not all(queries.is_member(request.user, b, *self.board_roles) for b in boards):
            raise PermissionDenied
        return obj

    def history_object(self, request, object_id):
        """The object whose history is asked for, if the user works for its board."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("Posten finns inte.")
        if not queries.is_member(request.user, self.board_of(obj)):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self.history_object(request, object_id)
        return super().history_view(request, object_id, extra_context)


def _public(fields, public_forms: dict[str, str | None]) -> list[str]:
    # without repeats: a page without fieldsets lists the readonly public forms already
    shown = [public_forms.get(field, field) for field in fields]
    return list(dict.fromkeys(field for field in shown if field))


class BoardHistoryMixin(StaffBoardMixin):
    """simple-history's version page and its revert form under the board rules: a revert
    is a change (``has_change_permission`` and ``save_form``), written at once with the
    search index it affects (``after_revert``)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.history_object(request, object_id)
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if response.status_code == 302:
                self.after_revert(type(obj)._default_manager.get(pk=obj.pk))
        return response

    def after_revert(self, obj) -> None:
        """What a change form's ``save_related`` does that the revert form skips."""
