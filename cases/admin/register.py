"""Boards, cases (with the one-screen registration), status changes and number series."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from .. import queries, registration
from ..forms import (
    CaseAdminForm,
    CaseAliasForm,
    CaseAliasFormSet,
    ReferenceFormSet,
    RegisterCaseForm,
)
from ..models import Board, Case, CaseAlias, CaseStatusChange, DnrSeries, Document
from ..search import document_search
from ..services import cross_references, indexing, registering
from .common import REGISTRAR, BoardHistoryMixin, NoDeleteMixin, export_selected_csv


def _username(request) -> str:
    return request.user.get_username()


@admin.register(Board)
class BoardAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "prefix_list", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    @admin.display(description="diarieprefix")
    def prefix_list(self, obj):
        return ", ".join(obj.dnr_prefixes)


class CaseAliasInline(admin.TabularInline):
    model = CaseAlias
    form = CaseAliasForm
    formset = CaseAliasFormSet
    extra = 0
    fields = ["dnr"]

    def has_change_permission(self, request, obj=None):
        # Aliases are added, never changed or removed (append-only in the database): the
        # existing ones show read-only.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseStatusChangeInline(NoDeleteMixin, admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "changed_at", "changed_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(NoDeleteMixin, admin.TabularInline):
    model = Document
    extra = 0
    fields = ["sequence", "kind", "title", "document_date", "confidential", "published"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return queries.staff_documents(request.user)

    def get_fields(self, request, obj=None):
        if obj is not None and not queries.is_member(request.user, obj.board):
            return ["display_title" if f == "title" else f for f in self.fields]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="rubrik")
    def display_title(self, obj):
        return obj.display_title


@admin.register(Case)
class CaseAdmin(BoardHistoryMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = CaseAdminForm
    list_display = ["dnr", "board", "staff_title", "status", "registered_on"]
    list_filter = ["board", "status", "dnr_year"]
    # The title is searched in get_search_results, as the user may see it.
    search_fields = ["dnr", "dnr_key", "aliases__dnr"]
    readonly_fields = [
        "board",
        "dnr",
        "dnr_key",
        "dnr_year",
        "dnr_number",
        "created_at",
        "updated_at",
    ]
    fields = [
        "board",
        "dnr",
        "title",
        "title_protected",
        "public_title",
        "status",
        "cancelled_reason",
        "registered_on",
        "class_code",
        "officer",
        "dnr_key",
        "created_at",
        "updated_at",
    ]
    inlines = [CaseAliasInline, DocumentInline, CaseStatusChangeInline]
    list_select_related = ["board"]
    actions = [export_selected_csv]

    # Another board's staff never see a protected title (OSL 5 kap. 2 §).
    public_forms = {"title": "display_title", "public_title": None}

    def board_of(self, obj):
        return obj.board

    @admin.display(description="ärendemening")
    def staff_title(self, obj):
        # Protected titles stay neutral in lists; members see them on the case itself.
        return obj.display_title

    @admin.display(description="ärendemening")
    def display_title(self, obj):
        return obj.display_title

    def get_search_results(self, request, queryset, search_term):
        """A dnr in any spelling first, then the portal's full-text search and the titles
        the user may search (``queries.staff_title_search``)."""
        lookup = queries.lookup_dnr(search_term) if search_term else None
        if lookup and lookup.cases:
            return queryset.filter(pk__in=[c.pk for c in lookup.cases]), False
        if lookup and lookup.parsed:
            # A mistyped number (VH 2019/254) offers the case it probably meant.
            near = queries.near_miss_cases(search_term)
            return queryset.filter(pk__in=[c.pk for c in near]), False
        if search_term:
            documents = queries.staff_documents(request.user).filter(
                pk__in=document_search.staff_search_document_ids(search_term)
            )
            by_text = queryset.filter(documents__in=documents)
            by_title = queryset.filter(queries.staff_title_search(request.user, search_term))
            by_number, _ = super().get_search_results(request, queryset, search_term)
            return (by_text | by_title | by_number).distinct(), True
        return queryset, False

    def get_urls(self):
        custom = [
            path(
                "registrera/",
                self.admin_site.admin_view(self.register_view),
                name="cases_case_register",
            ),
        ]
        return custom + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:cases_case_register"))

    def register_view(self, request):
        """Register a case: the next dnr of the board's series is allocated on save."""
        boards = queries.staff_boards(request.user, REGISTRAR).exclude(dnr_prefixes=[])
        if not boards.exists():
            raise PermissionDenied
        form = RegisterCaseForm(request.POST or None, request.FILES or None, boards=boards)
        references = ReferenceFormSet(request.POST or None, prefix="hanvisning")
        warnings = []
        if request.method == "POST" and form.is_valid() and references.is_valid():
            data = form.cleaned_data
            duplicates = queries.find_possible_duplicates(
                board=data["board"],
                title=data["title"],
                counterpart=data["counterpart"],
                document_date=data["document_date"],
            )
            if duplicates and not request.POST.get("confirm_duplicate"):
                warnings = duplicates
            else:
                try:
                    case = registration.register_case_with_handling(
                        board=data["board"],
                        title=data["title"],
                        document_kind=data["document_kind"],
                        document_title=data["document_title"],
                        document_date=data["document_date"],
                        direction=data["direction"],
                        counterpart=data["counterpart"],
                        counterpart_private=data["counterpart_private"],
                        officer=data["officer"],
                        class_code=data["class_code"],
                        confidential=data["confidential"],
                        osl_reference=data["osl_reference"],
                        title_protected=data["title_protected"],
                        public_title=data["public_title"],
                        registered_by=_username(request),
                        upload=form.upload,
                        attachment_title=data["attachment_title"],
                        references=[
                            (row["target"], row.get("relation") or "")
                            for row in references.cleaned_data
                            if row.get("target")
                        ],
                    )
                except registering.RegisterError as error:
                    form.add_error(None, str(error))
                else:
                    for finding in queries.personal_number_warnings(data["title"]):
                        messages.warning(request, finding)
                    messages.success(request, f"Ärendet registrerades som {case.dnr}.")
                    return HttpResponseRedirect(reverse("admin:cases_case_change", args=[case.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Registrera ärende",
            "form": form,
            "references": references,
            "duplicates": warnings,
            "opts": self.model._meta,
        }
        return render(request, "admin/cases/case/register.html", context)

    def save_model(self, request, obj, form, change):
        """Status changes go through the logged life cycle, not a bare field update. The
        status is compared with the stored one: a revert form's initial data is the old
        version's."""
        new_status = obj.status
        stored = Case.objects.get(pk=obj.pk) if change else obj
        obj.status = stored.status
        if stored.is_cancelled and not obj.cancelled_reason.strip():
            # the reason stays on record until the status change below
            obj.cancelled_reason = stored.cancelled_reason
        super().save_model(request, obj, form, change)
        if new_status != stored.status:
            registering.change_case_status(
                case=obj,
                status=new_status,
                changed_by=_username(request),
                note=form.cleaned_data.get("cancelled_reason", ""),
            )
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            self.after_revert(form.instance)

    def after_revert(self, obj):
        cross_references.resolve_pending_references(case=obj)
        indexing.reindex_case(case=obj)


@admin.register(CaseStatusChange)
class CaseStatusChangeAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["case", "from_status", "to_status", "changed_at", "changed_by"]
    readonly_fields = ["case", "from_status", "to_status", "changed_at", "changed_by", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DnrSeries)
class DnrSeriesAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["board", "year", "last_number"]
    readonly_fields = ["board", "year", "last_number"]

    def has_add_permission(self, request):
        return False
