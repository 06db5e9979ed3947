"""References: those read from a handling's text, those a registrator adds, and the
list of all."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from .. import queries
from ..models import Reference
from ..services import cross_references


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
        return cross_references.add_manual_reference(
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


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ["display", "source", "board", "relation", "status", "target"]
    list_filter = ["status", "relation"]
    search_fields = ["display", "raw", "dnr_key"]
    raw_id_fields = ["source", "target", "suspected_target"]
    list_select_related = ["source", "source__case", "board", "target"]
    # What the handling quotes never changes (migration 0025); its resolution may.
    readonly_fields = ["source", "raw", "display", "dnr_key", "start", "end", "board"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        # Registrators add references on the document page, where the case is chosen.
        return False

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(source__in=queries.staff_documents(request.user))
        )
