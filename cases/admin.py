"""The registrators' admin. Nothing here deletes a case, document or attachment."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AgendaItem,
    Attachment,
    Board,
    Case,
    CaseAlias,
    CaseStatusChange,
    Decision,
    Document,
    Meeting,
    Reference,
)

admin.site.disable_action("delete_selected")


class NoDeleteMixin:
    """Registrations are cancelled (makulerade), never deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "prefix_list", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    @admin.display(description="diarieprefix")
    def prefix_list(self, obj):
        return ", ".join(obj.dnr_prefixes)

    def has_delete_permission(self, request, obj=None):
        return False


class CaseAliasInline(admin.TabularInline):
    model = CaseAlias
    extra = 0


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
    readonly_fields = ["sequence"]
    show_change_link = True


@admin.register(Case)
class CaseAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["dnr", "board", "title", "status", "registered_on"]
    list_filter = ["board", "status", "dnr_year"]
    search_fields = ["dnr", "dnr_key", "title", "aliases__dnr"]
    readonly_fields = ["dnr_key", "dnr_year", "dnr_number", "created_at", "updated_at"]
    inlines = [CaseAliasInline, DocumentInline, CaseStatusChangeInline]
    list_select_related = ["board"]


class AttachmentInline(NoDeleteMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["number", "title", "file", "confidential", "osl_reference", "published"]


class ReferenceInline(admin.TabularInline):
    model = Reference
    fk_name = "source"
    extra = 0
    fields = ["raw", "display", "board", "relation", "status", "target", "suspected_target"]
    readonly_fields = [
        "raw",
        "display",
        "board",
        "relation",
        "status",
        "target",
        "suspected_target",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "kind", "document_date", "confidential", "published", "cancelled"]
    list_filter = ["kind", "confidential", "published", "text_source", "case__board"]
    search_fields = ["title", "case__dnr", "case__dnr_key"]
    readonly_fields = ["registered_at", "source_file", "source_start", "source_end"]
    raw_id_fields = ["case"]
    inlines = [AttachmentInline, ReferenceInline]
    list_select_related = ["case"]


@admin.register(Attachment)
class AttachmentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "document", "confidential", "published"]
    list_filter = ["confidential", "published"]
    search_fields = ["title", "document__case__dnr_key"]
    raw_id_fields = ["document"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["case"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["board", "date", "minutes_approved_on", "posted_on"]
    list_filter = ["board"]
    date_hierarchy = "date"
    inlines = [AgendaItemInline]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["meeting", "number", "title", "case"]
    raw_id_fields = ["case", "meeting"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["section", "year", "board", "case", "decided_on"]
    list_filter = ["board", "year"]
    raw_id_fields = ["case", "meeting"]


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["display", "source", "board", "relation", "status", "target"]
    list_filter = ["status", "relation"]
    search_fields = ["display", "raw", "dnr_key"]
    raw_id_fields = ["source", "target", "suspected_target"]
    list_select_related = ["source", "source__case", "board", "target"]


@admin.register(CaseAlias)
class CaseAliasAdmin(admin.ModelAdmin):
    list_display = ["dnr", "case"]
    search_fields = ["dnr", "dnr_key"]
    raw_id_fields = ["case"]


@admin.register(CaseStatusChange)
class CaseStatusChangeAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["case", "from_status", "to_status", "changed_at", "changed_by"]
    readonly_fields = ["case", "from_status", "to_status", "changed_at", "changed_by", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
