"""Handlingar and bilagor (uploads go through the one attachment service, downloads
through a permission check) and the personal data found in them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from .. import attachments, queries
from ..forms import AttachmentAdminForm, DocumentAdminForm
from ..models import Attachment, Document, PersonalDataFinding
from ..search import document_search
from ..services import cross_references, indexing, registering
from .common import (
    REGISTRAR,
    BoardHistoryMixin,
    NoDeleteMixin,
    StaffBoardMixin,
    export_selected_csv,
)
from .references import ManualReferenceInline, ReferenceInline


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

    # Another board's handling: its bilagor's titles in their public form, as on the
    # bilaga's own page (AttachmentAdmin.public_forms).
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._other_board(request, obj):
            return fields
        return ["display_title" if field == "title" else field for field in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "display_title"] if self._other_board(request, obj) else readonly

    @admin.display(description="rubrik")
    def display_title(self, obj):
        return obj.display_title

    def _other_board(self, request, document) -> bool:
        return document is not None and not queries.is_member(request.user, document.case.board)


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
class DocumentAdmin(BoardHistoryMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = DocumentAdminForm
    list_display = ["__str__", "kind", "document_date", "confidential", "published", "cancelled"]
    list_filter = ["kind", "confidential", "published", "text_source", "case__board"]
    # The title is searched in get_search_results, as the user may see it.
    search_fields = ["case__dnr", "case__dnr_key"]
    readonly_fields = [
        "sequence",
        "registered_at",
        "text_source",
        "ocr_quality",
        "signatories_text",
        "attachment_list_text",
        "attested_by_text",
        "source_file",
        "review_pending",
        "review_note",
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
                    "counterpart_private",
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
                    "review_pending",
                    "review_note",
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

    # The texts as the case page shows them: personnummer masked (personal_data)
    public_forms = {
        "title": "display_title",
        "public_title": None,
        "counterpart": "display_counterpart",
        "summary": "masked_summary",
        "proposal": "masked_proposal",
        "full_text": "masked_full_text",
        "clean_text": "masked_clean_text",
    }

    def board_of(self, obj):
        return obj.case.board

    @admin.display(description="rubrik")
    def display_title(self, obj):
        return obj.display_title

    @admin.display(description="avsändare/mottagare")
    def display_counterpart(self, obj):
        return obj.display_counterpart

    @admin.display(description="sammanfattning")
    def masked_summary(self, obj):
        return obj.public_summary

    @admin.display(description="förslag till beslut")
    def masked_proposal(self, obj):
        return obj.public_proposal

    @admin.display(description="fulltext")
    def masked_full_text(self, obj):
        return obj.public_full_text

    @admin.display(description="text för sökning")
    def masked_clean_text(self, obj):
        return obj.public_clean_text

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
        by_text = queryset.filter(pk__in=document_search.staff_search_document_ids(search_term))
        by_title = queryset.filter(
            queries.staff_title_search(request.user, search_term, board="case__board")
        )
        by_number, _ = super().get_search_results(request, queryset, search_term)
        return (by_text | by_title | by_number).distinct(), True

    def save_model(self, request, obj, form, change):
        if not queries.is_member(request.user, obj.case.board, REGISTRAR):
            raise PermissionDenied
        if change:
            if "published" in form.changed_data and obj.published:
                obj.review_pending = False  # published by hand: reviewed
            super().save_model(request, obj, form, change)
            cross_references.record_references(document=obj)
        else:
            fields = {
                f: form.cleaned_data[f]
                for f in form.cleaned_data
                if f not in {"case", "sequence", "title", "kind"}
            }
            created = registering.add_document(
                case=obj.case, title=obj.title, kind=obj.kind, **fields
            )
            obj.pk = created.pk
            obj.sequence = created.sequence
            obj._state.adding = False

    def after_revert(self, obj):
        indexing.index_document(document=obj)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            indexing.index_document(document=form.instance)
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
class AttachmentAdmin(BoardHistoryMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = AttachmentAdminForm
    list_display = ["__str__", "document", "confidential", "published"]
    list_filter = ["confidential", "published"]
    search_fields = ["title", "document__case__dnr_key"]
    raw_id_fields = ["document"]
    readonly_fields = ["content_type", "size"]
    # as the public would read them: personnummer masked
    public_forms = {"title": "display_title", "text": "masked_text"}

    def board_of(self, obj):
        return obj.document.case.board

    @admin.display(description="rubrik")
    def display_title(self, obj):
        return obj.display_title

    @admin.display(description="text")
    def masked_text(self, obj):
        return obj.public_text

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


@admin.register(PersonalDataFinding)
class PersonalDataFindingAdmin(StaffBoardMixin, admin.ModelAdmin):
    list_display = ["document", "kind", "masked_value", "reviewed"]
    list_filter = ["kind", "reviewed"]
    readonly_fields = ["document", "kind", "masked_value", "start", "end"]

    def board_of(self, obj):
        return obj.document.case.board

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(document__in=queries.staff_documents(request.user))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
