"""Forms for registrators. Validation messages are Swedish; rules live in services."""

import datetime

from django import forms
from django.utils import timezone

from . import services
from .models import Attachment, Board, Case, Direction, Document, DocumentKind

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
ALLOWED_UPLOADS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}


class RegisterCaseForm(forms.Form):
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
        help_text="T.ex. 26 kap. 1 §",
    )

    def __init__(self, *args, boards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards
        if boards.count() == 1:
            self.fields["board"].initial = boards.first()

    def clean(self):
        data = super().clean()
        counterpart = (data.get("counterpart") or "").strip()
        if data.get("counterpart_missing"):
            if counterpart:
                self.add_error(
                    "counterpart", "Ange antingen en avsändare/mottagare eller ”saknas”."
                )
            data["counterpart"] = services.COUNTERPART_MISSING
        elif not counterpart:
            self.add_error(
                "counterpart", "Ange avsändare eller mottagare, eller kryssa i att den saknas."
            )
        if data.get("confidential"):
            try:
                data["osl_reference"] = services.normalise_osl_reference(
                    data.get("osl_reference") or ""
                )
            except services.RegisterError as error:
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
                data["osl_reference"] = services.normalise_osl_reference(
                    data.get("osl_reference") or ""
                )
            except services.RegisterError as error:
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


class AttachmentAdminForm(OslFieldsMixin, forms.ModelForm):
    class Meta:
        model = Attachment
        fields = "__all__"

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or not hasattr(upload, "size"):
            return upload
        name = upload.name.lower()
        suffix = name[name.rfind(".") :] if "." in name else ""
        if suffix not in ALLOWED_UPLOADS:
            raise forms.ValidationError("Bara PDF, DOCX och TXT kan laddas upp.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Filen är för stor (högst 25 MB).")
        return upload
