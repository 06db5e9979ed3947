"""The queue "Att granska före publicering": a private person's handlings, registered
unpublished, wait here until a registrator of their board publishes them or keeps them off
the web with a reason (``publishing.review_for_publication``, recorded in the history)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html_join

from .. import queries
from ..models import DocumentForReview
from ..services import publishing, registering
from .common import REGISTRAR, NoDeleteMixin, StaffBoardMixin

PUBLISH, KEEP = "publicera", "publicera-inte"


class ReviewForm(forms.ModelForm):
    decision = forms.ChoiceField(
        label="Beslut",
        choices=[
            (PUBLISH, "Publicera på webben"),
            (KEEP, "Publicera inte på webben"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Skäl att inte publicera",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Krävs när handlingen inte ska publiceras, t.ex. ”Innehåller uppgifter om "
        "enskildas hälsa”. Den som vill läsa handlingen kan begära ut den.",
    )

    class Meta:
        model = DocumentForReview
        fields: list[str] = []

    def clean(self):
        data = super().clean()
        if data.get("decision") == KEEP and not (data.get("reason") or "").strip():
            self.add_error("reason", "Ange varför handlingen inte ska publiceras.")
        if data.get("decision") == PUBLISH and self.instance.confidential:
            self.add_error("decision", "En handling med sekretess publiceras inte på webben.")
        return data


@admin.register(DocumentForReview)
class DocumentForReviewAdmin(StaffBoardMixin, NoDeleteMixin, admin.ModelAdmin):
    form = ReviewForm
    list_display = ["__str__", "kind", "document_date", "counterpart", "board"]
    list_select_related = ["case", "case__board"]
    fields = [
        "decision",
        "reason",
        "case",
        "title",
        "kind",
        "document_date",
        "direction",
        "counterpart",
        "confidential",
        "summary",
        "attachment_titles",
        "full_text",
    ]
    readonly_fields = fields[2:]
    actions = ["publish_selected"]

    def board_of(self, obj):
        return obj.case.board

    @admin.display(description="nämnd")
    def board(self, obj):
        return obj.case.board.short_name

    @admin.display(description="bilagor")
    def attachment_titles(self, obj):
        rows = [(a.number, a.title) for a in obj.attachments.all()]
        return format_html_join("", "<p>Bilaga {}: {}</p>", rows) or "–"

    def get_queryset(self, request):
        """The waiting handlings of the boards the registrator works for."""
        boards = queries.staff_boards(request.user, REGISTRAR)
        return (
            super()
            .get_queryset(request)
            .filter(review_pending=True, case__board__in=boards)
            .order_by("document_date", "pk")
        )

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if not queries.is_member(request.user, obj.case.board, REGISTRAR):
            raise PermissionDenied
        publish = form.cleaned_data["decision"] == PUBLISH
        publishing.review_for_publication(
            document=obj, publish=publish, reason=form.cleaned_data["reason"]
        )
        done = "publicerades på webben" if publish else "publiceras inte på webben"
        messages.success(request, f"{obj.case.dnr_key}-{obj.sequence} {done}.")

    def response_change(self, request, obj):
        """Back to the queue, with the next handling waiting."""
        return HttpResponseRedirect(reverse("admin:cases_documentforreview_changelist"))

    @admin.action(description="Publicera markerade handlingar på webben")
    def publish_selected(self, request, queryset):
        published = 0
        for document in queryset.select_related("case__board"):
            if not self.has_change_permission(request, document):
                raise PermissionDenied
            try:
                publishing.review_for_publication(document=document, publish=True)
            except registering.RegisterError as error:
                messages.error(request, f"{document}: {error}")
            else:
                published += 1
        if published:
            messages.success(request, f"{published} handlingar publicerades på webben.")
