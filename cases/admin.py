"""The registrators' admin.

Nothing here deletes a case, document or attachment (makulering instead). Registrators
change only their own boards' series; staff see confidential data only for their boards,
also when they type another board's URL: the querysets themselves are filtered.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from . import admin_jobs, attachments, exports, queries, registration, services  # noqa: F401 (admin_jobs registers BackgroundRun)
from .forms import (
    AttachmentAdminForm,
    CaseAdminForm,
    CaseAliasForm,
    CaseAliasFormSet,
    DocumentAdminForm,
    ReferenceFormSet,
    RegisterCaseForm,
)
from .models import (
    AgendaItem,
    Attachment,
    Board,
    BoardMembership,
    Case,
    CaseAlias,
    CaseStatusChange,
    Decision,
    DnrSeries,
    Document,
    Meeting,
    PersonalDataFinding,
    Reference,
)

REGISTRAR = BoardMembership.Role.REGISTRAR
SECRETARY = BoardMembership.Role.SECRETARY

admin.site.disable_action("delete_selected")


class NoDeleteMixin:
    """Registrations are cancelled (makulerade), never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


def _username(request) -> str:
    return request.user.get_username()


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


@admin.register(Board)
class BoardAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "prefix_list", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    @admin.display(description="diarieprefix")
    def prefix_list(self, obj):
        return ", ".join(obj.dnr_prefixes)


@admin.register(BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "board", "role"]
    list_filter = ["role", "board"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Chosen by name among the staff accounts, not typed as an id.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.ensure_role_permissions(user=obj.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.ensure_role_permissions(user=obj.user)


class CaseAliasInline(admin.TabularInline):
    model = CaseAlias
    form = CaseAliasForm
    formset = CaseAliasFormSet
    extra = 0
    fields = ["dnr"]

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


@admin.register(Case)
class CaseAdmin(StaffBoardMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = CaseAdminForm
    list_display = ["dnr", "board", "staff_title", "status", "registered_on"]
    list_filter = ["board", "status", "dnr_year"]
    search_fields = ["dnr", "dnr_key", "title", "aliases__dnr"]
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

    def board_of(self, obj):
        return obj.board

    @admin.display(description="ärendemening")
    def staff_title(self, obj):
        # Protected titles stay neutral in lists; members see them on the case itself.
        return obj.display_title

    @admin.display(description="ärendemening")
    def display_title(self, obj):
        return obj.display_title

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not queries.is_member(request.user, obj.board):
            # Another board's staff never see a protected title (OSL 5 kap. 2 §).
            fields = ["display_title" if f == "title" else f for f in fields]
            fields = [f for f in fields if f != "public_title"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not queries.is_member(request.user, obj.board):
            readonly.append("display_title")
        return readonly

    def get_search_results(self, request, queryset, search_term):
        """A dnr in any spelling first, then the portal's full-text search."""
        lookup = queries.lookup_dnr(search_term) if search_term else None
        if lookup and lookup.cases:
            return queryset.filter(pk__in=[c.pk for c in lookup.cases]), False
        if lookup and lookup.parsed:
            # A mistyped number (VH 2019/254) offers the case it probably meant.
            near = queries.near_miss_cases(search_term)
            return queryset.filter(pk__in=[c.pk for c in near]), False
        if search_term:
            documents = queries.staff_documents(request.user).filter(
                pk__in=queries.staff_search_document_ids(search_term)
            )
            by_text = queryset.filter(documents__in=documents)
            by_title, _ = super().get_search_results(request, queryset, search_term)
            return (by_text | by_title).distinct(), True
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
            duplicates = services.find_possible_duplicates(
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
                except services.RegisterError as error:
                    form.add_error(None, str(error))
                else:
                    for finding in services.personal_number_warnings(data["title"]):
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
        """Status changes go through the logged life cycle, not a bare field update."""
        new_status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            services.change_case_status(
                case=obj,
                status=new_status,
                changed_by=_username(request),
                note=form.cleaned_data.get("cancelled_reason", ""),
            )
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            services.resolve_pending_references(case=form.instance)
            services.reindex_case(case=form.instance)


class AttachmentFormSet(BaseInlineFormSet):
    """Files uploaded in the document's Bilagor inline go through the one upload service."""

    def save_new(self, form, commit=True):
        form.instance.document = self.instance
        return attachments.save_attachment(attachment=form.instance, upload=form.upload)

    def save_existing(self, form, obj, commit=True):
        return attachments.save_attachment(attachment=form.instance, upload=form.upload)


class AttachmentInline(NoDeleteMixin, admin.TabularInline):
    model = Attachment
    form = AttachmentAdminForm
    formset = AttachmentFormSet
    extra = 0
    fields = ["number", "title", "file", "confidential", "osl_reference", "published"]

    def get_queryset(self, request):
        return queries.staff_attachments(request.user)


class ReferenceInline(admin.TabularInline):
    """References read from the document's text; near-misses are flagged for review."""

    model = Reference
    fk_name = "source"
    extra = 0
    verbose_name_plural = "hänvisningar i texten"
    fields = ["raw", "display", "board", "relation", "status", "target", "suspected_target"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(start__isnull=False)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ManualReferenceFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls):
        return "manual_references"

    def save_new(self, form, commit=True):
        return services.add_manual_reference(
            document=self.instance,
            target=form.cleaned_data["target"],
            relation=form.cleaned_data.get("relation", ""),
        )


class ManualReferenceInline(admin.TabularInline):
    """References a registrator adds by choosing a case: autocomplete over every board's dnr
    in any spelling (CaseAdmin.get_search_results)."""

    model = Reference
    fk_name = "source"
    formset = ManualReferenceFormSet
    extra = 0
    verbose_name = "hänvisning"
    verbose_name_plural = "hänvisningar tillagda av registrator"
    fields = ["target", "relation"]
    autocomplete_fields = ["target"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(start__isnull=True)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonalDataInline(admin.TabularInline):
    model = PersonalDataFinding
    extra = 0
    fields = ["kind", "masked_value", "reviewed"]
    readonly_fields = ["kind", "masked_value"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(StaffBoardMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = DocumentAdminForm
    list_display = ["__str__", "kind", "document_date", "confidential", "published", "cancelled"]
    list_filter = ["kind", "confidential", "published", "text_source", "case__board"]
    search_fields = ["title", "case__dnr", "case__dnr_key"]
    readonly_fields = [
        "sequence",
        "registered_at",
        "text_source",
        "ocr_quality",
        "signatories_text",
        "attachment_list_text",
        "attested_by_text",
        "source_file",
    ]
    # The importer's metadata is shown as text, not as raw JSON; positions in the source
    # file are internals and not shown at all.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    "sequence",
                    "kind",
                    "title",
                    "title_protected",
                    "public_title",
                    "document_date",
                    "direction",
                    "counterpart",
                    "counterpart_protected",
                    "officer",
                    "officer_phone",
                    "meeting_date",
                ]
            },
        ),
        (
            "Sekretess, publicering och makulering",
            {
                "fields": [
                    "confidential",
                    "osl_reference",
                    "published",
                    "cancelled",
                    "cancelled_reason",
                ]
            },
        ),
        ("Innehåll", {"fields": ["summary", "proposal", "full_text", "clean_text"]}),
        (
            "Uppgifter från importen",
            {
                "classes": ["collapse"],
                "fields": [
                    "registered_at",
                    "text_source",
                    "ocr_quality",
                    "signatories_text",
                    "attachment_list_text",
                    "attested_by_text",
                    "source_file",
                ],
            },
        ),
    ]
    raw_id_fields = ["case"]
    inlines = [AttachmentInline, ManualReferenceInline, ReferenceInline, PersonalDataInline]
    list_select_related = ["case"]
    actions = [export_selected_csv]

    def board_of(self, obj):
        return obj.case.board

    @admin.display(description="undertecknare")
    def signatories_text(self, obj):
        return _people(obj.signatories)

    @admin.display(description="bilageförteckning")
    def attachment_list_text(self, obj):
        return "; ".join(str(title) for title in obj.attachment_list) or "–"

    @admin.display(description="attesterat av")
    def attested_by_text(self, obj):
        return _people(obj.attested_by)

    def get_queryset(self, request):
        return queries.staff_documents(request.user).select_related("case", "case__board")

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        lookup = queries.lookup_dnr(search_term)
        if lookup.cases:
            return queryset.filter(case__in=lookup.cases), False
        by_text = queryset.filter(pk__in=queries.staff_search_document_ids(search_term))
        by_title, _ = super().get_search_results(request, queryset, search_term)
        return (by_text | by_title).distinct(), True

    def save_model(self, request, obj, form, change):
        if not queries.is_member(request.user, obj.case.board, REGISTRAR):
            raise PermissionDenied
        if change:
            super().save_model(request, obj, form, change)
            services.record_references(document=obj)
        else:
            fields = {
                f: form.cleaned_data[f]
                for f in form.cleaned_data
                if f not in {"case", "sequence", "title", "kind"}
            }
            created = services.add_document(case=obj.case, title=obj.title, kind=obj.kind, **fields)
            obj.pk = created.pk
            obj.sequence = created.sequence
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            services.index_document(document=form.instance)
        for reference in form.instance.references.filter(status="near_miss").select_related(
            "suspected_target"
        ):
            messages.warning(
                request,
                f"”{reference.raw}” finns inte i registret. Menade du "
                f"{reference.suspected_target.dnr_key}? Rätta texten eller lägg till hänvisningen.",
            )


def _people(rows) -> str:
    """The importer's name lists ({"name", "role", "date"}) as one line of text."""
    people = []
    for row in rows:
        if not isinstance(row, dict):
            people.append(str(row))
            continue
        details = ", ".join(str(row[key]) for key in ("role", "date") if row.get(key))
        people.append(f"{row.get('name', '')} ({details})" if details else row.get("name", ""))
    return "; ".join(people) or "–"


@admin.register(Attachment)
class AttachmentAdmin(StaffBoardMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = AttachmentAdminForm
    list_display = ["__str__", "document", "confidential", "published"]
    list_filter = ["confidential", "published"]
    search_fields = ["title", "document__case__dnr_key"]
    raw_id_fields = ["document"]
    readonly_fields = ["content_type", "size"]

    def board_of(self, obj):
        return obj.document.case.board

    def get_queryset(self, request):
        return queries.staff_attachments(request.user).select_related("document__case__board")

    def save_model(self, request, obj, form, change):
        if not queries.is_member(request.user, obj.document.case.board, REGISTRAR):
            raise PermissionDenied
        attachments.save_attachment(attachment=obj, upload=form.upload)

    def get_urls(self):
        download = path(
            "<int:pk>/fil/",
            self.admin_site.admin_view(self.download_view),
            name="cases_attachment_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, pk: int):
        """The file, for staff who may see the attachment (their boards' confidential ones
        too); attachments have no media URL."""
        attachment = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, attachment):
            raise PermissionDenied
        if not attachment.file:
            raise Http404("Bilagan finns inte som fil.")
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.file.name.rsplit("/", 1)[-1],
            content_type=attachment.content_type or "application/octet-stream",
        )


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
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
            added = services.add_open_cases_to_agenda(meeting=meeting)
            messages.success(request, f"{added} ärenden lades till på {meeting}.")


@admin.register(AgendaItem)
class AgendaItemAdmin(StaffBoardMixin, admin.ModelAdmin):
    board_roles = (SECRETARY,)
    list_display = ["meeting", "number", "title", "case"]
    raw_id_fields = ["case", "meeting"]

    def board_of(self, obj):
        return obj.meeting.board


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
        created = services.record_decision(
            case=obj.case, meeting=obj.meeting, decided_on=obj.decided_on, text=obj.text
        )
        obj.pk = created.pk
        obj.section, obj.year, obj.board = created.section, created.year, created.board
        obj._state.adding = False


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["display", "source", "board", "relation", "status", "target"]
    list_filter = ["status", "relation"]
    search_fields = ["display", "raw", "dnr_key"]
    raw_id_fields = ["source", "target", "suspected_target"]
    list_select_related = ["source", "source__case", "board", "target"]

    def has_add_permission(self, request):
        # Registrators add references on the document page, where the case is chosen.
        return False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(source__in=queries.staff_documents(request.user))
        )


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


@admin.register(PersonalDataFinding)
class PersonalDataFindingAdmin(admin.ModelAdmin):
    list_display = ["document", "kind", "masked_value", "reviewed"]
    list_filter = ["kind", "reviewed"]
    readonly_fields = ["document", "kind", "masked_value", "start", "end"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(document__in=queries.staff_documents(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The queue of requests to see handlings ("Utlämnandebegäranden") has its own module.
from .access import admin as access_admin  # noqa: E402, F401
