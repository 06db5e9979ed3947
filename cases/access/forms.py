"""Forms of the public request pages and the registrators' queue. Every message is Swedish."""

from django import forms

from .models import Delivery, Outcome
from .services import AccessError, clean_osl_reference

TEXT_LIMIT = 2000


class OrderForm(forms.Form):
    email = forms.EmailField(
        label="Din e-postadress",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Skriv en giltig e-postadress, t.ex. namn@exempel.se.",
            "max_length": "E-postadressen är för lång.",
        },
    )
    anonymous = forms.BooleanField(
        label="Jag vill vara anonym (jag följer begäran via länken jag får)", required=False
    )
    delivery = forms.ChoiceField(
        label="Hur vill du få handlingarna?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Välj hur du vill få handlingarna.",
            "invalid_choice": "Välj hur du vill få handlingarna.",
        },
    )
    message = forms.CharField(
        label="Övrigt (frivilligt)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Meddelandet får vara högst 2 000 tecken."},
    )
    # A field people never see (hidden by the style sheet); bots fill it in.
    website = forms.CharField(label="Lämna det här fältet tomt", required=False)

    def clean(self):
        data = super().clean()
        email, anonymous = data.get("email"), data.get("anonymous")
        if "email" in self.errors:
            return data
        if email and anonymous:
            self.add_error(
                "email",
                "Du har både skrivit en e-postadress och valt att vara anonym. "
                "Töm fältet eller ta bort krysset.",
            )
        elif not email and not anonymous:
            self.add_error(
                "email", "Skriv din e-postadress, eller kryssa i att du vill vara anonym."
            )
        elif anonymous and data.get("delivery") == Delivery.EMAIL:
            self.add_error(
                "delivery",
                "Som anonym kan du inte få handlingarna med e-post. "
                "Välj papperskopior eller att läsa på plats, eller skriv din e-postadress.",
            )
        return data

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Din precisering",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Skriv din precisering.",
            "max_length": "Preciseringen får vara högst 2 000 tecken.",
        },
    )


DECISIONS = [
    (Outcome.RELEASED, "Lämna ut"),
    (Outcome.MASKED, "Lämna ut med maskering"),
    (Outcome.REFUSED, "Avslå"),
]


class DecisionForm(forms.Form):
    """One outcome and OSL paragraph per requested handling."""

    reasoning = forms.CharField(
        label="Motivering (kommer med i beslutet)",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"outcome_{item.pk}"] = forms.ChoiceField(
                label=f"Beslut för {item}",
                choices=DECISIONS,
                widget=forms.RadioSelect,
                error_messages={"required": "Välj ett beslut för handlingen."},
            )
            self.fields[f"osl_{item.pk}"] = forms.CharField(
                label="Sekretessparagraf (OSL)",
                required=False,
                max_length=64,
                initial=item.document.osl_reference,
                help_text="Krävs vid avslag och maskering, t.ex. 26 kap. 1 §.",
            )

    def rows(self):
        return [(item, self[f"outcome_{item.pk}"], self[f"osl_{item.pk}"]) for item in self.items]

    def clean(self):
        data = super().clean()
        for item in self.items:
            outcome = data.get(f"outcome_{item.pk}")
            if outcome in {Outcome.MASKED, Outcome.REFUSED}:
                try:
                    data[f"osl_{item.pk}"] = clean_osl_reference(data.get(f"osl_{item.pk}", ""))
                except AccessError as error:
                    self.add_error(f"osl_{item.pk}", str(error))
        return data

    def outcomes(self) -> dict[int, tuple[str, str]]:
        return {
            item.pk: (self.cleaned_data[f"outcome_{item.pk}"], self.cleaned_data[f"osl_{item.pk}"])
            for item in self.items
        }


class ClarificationForm(forms.Form):
    question = forms.CharField(
        label="Vad behöver sökanden precisera?",
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Skriv vad sökanden behöver precisera."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Skäl för makulering",
        max_length=TEXT_LIMIT,
        error_messages={"required": "Ange skälet till makuleringen."},
    )
