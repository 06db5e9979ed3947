"""Forms for registrators. Validation messages are Swedish; rules live in services."""

import datetime

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone

from . import attachments, queries
from .models import (
    AgendaItem,
    Attachment,
    Board,
    Case,
    CaseAlias,
    Decision,
    Direction,
    Document,
    DocumentKind,
    ReferenceRelation,
)
from .services import registering


class UploadFieldMixin:
    """Reads the file of ``upload_field`` with ``attachments.read_upload`` while the form is
    validated: a wrong type, a file too large or unreadable is a form error, and the text is
    read once (``self.upload``) for the service that stores it."""

    upload_field = "file"
    upload: attachments.Upload | None = None

    def clean(self):
        data = super().clean()
        file = data.get(self.upload_field)
        if isinstance(file, UploadedFile):
            try:
                self.upload = attachments.read_upload(file)
            except attachments.AttachmentError as error:
                self.add_error(self.upload_field, str(error))
        return data


class _StoredFile:
    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class AttachmentFileWidget(AdminFileWidget):
    """The stored file links to the admin's download (a permission check), never to a media
    URL: attachments are not served from the web root. No "clear" box: a registered file is
    replaced, not removed."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        instance = getattr(value, "instance", None)
        if context["widget"]["is_initial"] and instance is not None and instance.pk:
            url = reverse("admin:cases_attachment_download", args=[instance.pk])
            context["widget"]["value"] = _StoredFile(value.name.rsplit("/", 1)[-1], url)
            context["widget"]["required"] = True
        return context


class ReferenceRowForm(forms.Form):
    """One referenced case by its number, in any spelling and at any board."""

    dnr = forms.CharField(
        label="Hänvisar till diarienummer",
        max_length=64,
        required=False,
        help_text="T.ex. KS 2019/656, också hos en annan nämnd.",
    )
    relation = forms.ChoiceField(
        label="Relation", choices=ReferenceRelation.choices, required=False
    )

    def clean(self):
        data = super().clean()
        typed = (data.get("dnr") or "").strip()
        if not typed:
            return data
        cases = queries.lookup_dnr(typed).cases
        if len(cases) == 1:
            data["target"] = cases[0]
        elif cases:
            numbers = ", ".join(sorted(case.dnr for case in cases))
            self.add_error("dnr", f"”{typed}” finns hos flera nämnder ({numbers}). Skriv prefixet.")
        else:
            near = queries.near_miss_cases(typed)
            hint = f" Menade du {near[0].dnr}?" if near else ""
            self.add_error("dnr", f"”{typed}” finns inte i registret.{hint}")
        return data


ReferenceFormSet = forms.formset_factory(ReferenceRowForm, extra=2, max_num=10, absolute_max=10)


class RegisterCaseForm(UploadFieldMixin, forms.Form):
    """Register a new case with its first handling; the dnr is allocated on save."""

    board = forms.ModelChoiceField(label="Nämnd", queryset=Board.objects.none())
    title = forms.CharField(
        label="Ärendemening",
        max_length=500,
        help_text="En kort beskrivning av ärendet (OSL 5 kap. 2 §).",
        widget=forms.TextInput(attrs={"size": 80}),
    )
    document_kind = forms.ChoiceField(
        label="Handlingstyp", choices=DocumentKind.choices, initial=DocumentKind.CITIZEN_PROPOSAL
    )
    document_title = forms.CharField(
        label="Handlingens rubrik",
        max_length=500,
        required=False,
        help_text="Tom = samma som ärendemeningen.",
        widget=forms.TextInput(attrs={"size": 80}),
    )
    direction = forms.ChoiceField(label="Riktning", choices=Direction.choices, initial="in")
    document_date = forms.DateField(
        label="Datum inkommen/upprättad",
        initial=datetime.date.today,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    counterpart = forms.CharField(
        label="Avsändare/mottagare",
        max_length=300,
        required=False,
        help_text="Lämna tomt och kryssa i ”saknas” om det inte finns någon.",
    )
    counterpart_missing = forms.BooleanField(label="Avsändare/mottagare saknas", required=False)
    counterpart_private = forms.BooleanField(
        label="Avsändaren/mottagaren är en privatperson",
        required=False,
        help_text="Namnet visas som ”Privatperson” på webben, och handlingen publiceras först "
        "när den har granskats (Att granska före publicering). Inte för tjänstemän och "
        "myndigheter.",
    )
    officer = forms.CharField(label="Handläggare", max_length=200, required=False)
    class_code = forms.CharField(label="Klassificering", max_length=32, required=False)
    title_protected = forms.BooleanField(
        label="Ärendemeningen innehåller sekretessuppgifter", required=False
    )
    public_title = forms.CharField(
        label="Publik ärendemening",
        max_length=500,
        required=False,
        help_text="Visas för allmänheten när ärendemeningen är skyddad. Tom = ”[Skyddat]”.",
    )
    confidential = forms.BooleanField(label="Handlingen omfattas av sekretess", required=False)
    osl_reference = forms.CharField(
        label="Sekretessparagraf i OSL",
        max_length=64,
        required=False,
        help_text="T.ex. 26 kap. 1 § eller 26:1 OSL",
    )
    attachment = forms.FileField(
        label="Bilaga",
        required=False,
        help_text="PDF, DOCX eller TXT, högst 25 MB. Texten blir sökbar.",
    )
    attachment_title = forms.CharField(
        label="Bilagans rubrik",
        max_length=500,
        required=False,
        help_text="Tom = filens namn utan filändelse. Bilagan har samma sekretess som handlingen.",
        widget=forms.TextInput(attrs={"size": 80}),
    )

    def __init__(self, *args, boards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards
        if boards.count() == 1:
            self.fields["board"].initial = boards.first()

    upload_field = "attachment"

    def clean(self):
        data = super().clean()
        counterpart = (data.get("counterpart") or "").strip()
        if data.get("counterpart_missing"):
            if counterpart:
                self.add_error(
                    "counterpart", "Ange antingen en avsändare/mottagare eller ”saknas”."
                )
            data["counterpart"] = queries.COUNTERPART_MISSING
        elif not counterpart:
            self.add_error(
                "counterpart", "Ange avsändare eller mottagare, eller kryssa i att den saknas."
            )
        if data.get("confidential"):
            try:
                data["osl_reference"] = registering.normalise_osl_reference(
                    data.get("osl_reference") or ""
                )
            except registering.RegisterError as error:
                self.add_error("osl_reference", str(error))
        if data.get("document_date") and data["document_date"] > timezone.localdate():
            self.add_error("document_date", "Datumet kan inte ligga i framtiden.")
        return data


class OslFieldsMixin:
    """Validates the OSL paragraph of a confidential document or attachment."""

    def clean(self):
        data = super().clean()
        if data.get("confidential"):
            try:
                data["osl_reference"] = registering.normalise_osl_reference(
                    data.get("osl_reference") or ""
                )
            except registering.RegisterError as error:
                self.add_error("osl_reference", str(error))
        return data


class DocumentAdminForm(OslFieldsMixin, forms.ModelForm):
    class Meta:
        model = Document
        fields = "__all__"


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == Case.Status.CANCELLED
            and not (data.get("cancelled_reason") or "").strip()
        ):
            self.add_error("cancelled_reason", "Makulering kräver ett skäl.")
        return data


class CaseAliasForm(forms.ModelForm):
    """An alias typed in the case's inline gets its normalised key here, so it resolves."""

    class Meta:
        model = CaseAlias
        fields = ["dnr"]

    def clean_dnr(self):
        dnr = self.cleaned_data["dnr"].strip()
        case = self.instance.case if self.instance.case_id else None
        if case is None:
            return dnr
        try:
            self.instance.dnr_key = registering.parse_case_dnr(dnr, board=case.board).key
        except registering.RegisterError as error:
            raise forms.ValidationError(str(error)) from error
        if case.dnr_key == self.instance.dnr_key:
            raise forms.ValidationError("Det är ärendets eget diarienummer.")
        taken = CaseAlias.objects.filter(case=case, dnr_key=self.instance.dnr_key)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"Ärendet har redan aliaset {self.instance.dnr_key}.")
        return dnr


class CaseAliasFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        keys = [
            form.instance.dnr_key
            for form in self.forms
            if form.has_changed() and not form.errors and form.cleaned_data.get("dnr")
        ]
        if len(keys) != len(set(keys)):
            raise forms.ValidationError("Samma alias står två gånger.")


class AttachmentAdminForm(UploadFieldMixin, OslFieldsMixin, forms.ModelForm):
    """A bilaga on its own page or in the document's Bilagor inline; the file is read by
    ``attachments.read_upload`` (type, size, text) and saved by the admin through
    ``attachments.save_attachment``."""

    upload_field = "file"

    class Meta:
        model = Attachment
        fields = "__all__"
        widgets = {"file": AttachmentFileWidget}
        help_texts = {"number": "Tom = nästa nummer.", "osl_reference": "T.ex. 26 kap. 1 §"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "number" in self.fields:
            self.fields["number"].required = False


class MeetingCaseMixin:
    """An agenda item or decision of a meeting is about the meeting's board's own case
    (``registering.meeting_case_error``); in the meeting's inlines the meeting is the one
    on the page."""

    def clean(self):
        data = super().clean()
        case, meeting = data.get("case"), data.get("meeting")
        if case is not None and meeting is not None:
            error = registering.meeting_case_error(case=case, meeting=meeting)
            if error:
                self.add_error("case", error)
        return data


class AgendaItemForm(MeetingCaseMixin, forms.ModelForm):
    """An agenda item of a case takes the case's public title (the meeting page shows the
    case's current one); an item without a case needs its own text."""

    class Meta:
        model = AgendaItem
        fields = "__all__"
        help_texts = {"title": "Tom när ett ärende är valt: ärendets publika ärendemening."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "title" in self.fields:
            self.fields["title"].required = False

    def clean(self):
        data = super().clean()
        case = data.get("case")
        if case is not None:
            data["title"] = case.display_title
        elif not (data.get("title") or "").strip():
            self.add_error("title", "Ange en rubrik eller välj ett ärende.")
        return data


class DecisionAdminForm(MeetingCaseMixin, forms.ModelForm):
    """A recorded § stays in its board's minutes: a correction cannot move it to another
    board's meeting or case."""

    class Meta:
        model = Decision
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if self.instance.pk is None or self.errors:
            return data
        meeting, case = data.get("meeting"), data.get("case")
        board = meeting.board if meeting is not None else getattr(case, "board", None)
        if board is not None and board.pk != self.instance.board_id:
            self.add_error(
                "meeting" if meeting is not None else "case",
                f"Beslutet är § {self.instance.section}/{self.instance.year} i "
                f"{self.instance.board.name}s protokoll och kan inte flyttas till en annan nämnd.",
            )
        return data
