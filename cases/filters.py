"""Maps the search page's Swedish query parameters onto validated values."""

import django_filters
from django import forms

from .models import Board, CaseStatus, DocumentKind, SearchEntry
from .search.criteria import SORTS, SearchFilters

# The highest page number a list takes; beyond it a number is a mistake, not a page.
MAX_PAGE = 10_000
PAGE_ERROR = "Sidnumret ska vara ett heltal från 1 till 10 000, till exempel sida=2."
_PAGE_ERRORS = {"invalid": PAGE_ERROR, "min_value": PAGE_ERROR, "max_value": PAGE_ERROR}


def page_field(**kwargs) -> forms.IntegerField:
    """The ``sida`` parameter of every paged list (search, board pages)."""
    return forms.IntegerField(
        min_value=1, max_value=MAX_PAGE, required=False, error_messages=_PAGE_ERRORS, **kwargs
    )


def parse_page(value: str | None) -> int:
    """A page number from a query parameter: 1 when absent, ``ValidationError`` with a
    Swedish message when it is not a page number."""
    return page_field().clean(value) or 1


YEAR_ERROR = "Året ska skrivas med fyra siffror, till exempel 2019."


def parse_year(value: str | None) -> int | None:
    """A year from a query parameter (``ar`` on a board page): None when absent,
    ``ValidationError`` with a Swedish message when it is not a year."""
    field = forms.IntegerField(
        min_value=1900,
        max_value=2100,
        required=False,
        error_messages={key: YEAR_ERROR for key in ("invalid", "min_value", "max_value")},
    )
    return field.clean(value)


# Dates as text in the Swedish ISO form: a browser's date picker shows its own locale's
# hint (mm/dd/yyyy), so the field says the format itself and the server checks it.
DATE_FORMAT = "%Y-%m-%d"
DATE_HINT = "Skriv ÅÅÅÅ-MM-DD, till exempel 2019-08-29."
DATE_ERROR = "Datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2019-08-29."
_DATE_ATTRS = {
    "placeholder": "ÅÅÅÅ-MM-DD",
    "pattern": r"\d{4}-\d{2}-\d{2}",
    "autocomplete": "off",
    "size": "10",
}


class PageFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Sökord eller diarienummer",
        method="filter_nothing",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    namnd = django_filters.ModelChoiceFilter(
        label="Nämnd",
        field_name="board",
        to_field_name="slug",
        queryset=Board.objects.order_by("name"),
        empty_label="Alla nämnder",
    )
    typ = django_filters.ChoiceFilter(
        label="Handlingstyp",
        field_name="kind",
        choices=DocumentKind.choices,
        empty_label="Alla typer",
    )
    status = django_filters.ChoiceFilter(
        label="Ärendets status", choices=CaseStatus.choices, empty_label="Alla"
    )
    fran = django_filters.DateFilter(
        label="Från datum",
        field_name="date",
        lookup_expr="gte",
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT, attrs=_DATE_ATTRS),
        help_text=DATE_HINT,
        error_messages={"invalid": DATE_ERROR},
    )
    till = django_filters.DateFilter(
        label="Till datum",
        field_name="date",
        lookup_expr="lte",
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(format=DATE_FORMAT, attrs=_DATE_ATTRS),
        help_text=DATE_HINT,
        error_messages={"invalid": DATE_ERROR},
    )
    sortering = django_filters.ChoiceFilter(
        label="Sortering", choices=list(SORTS.items()), method="filter_nothing", empty_label=None
    )
    visa = django_filters.ChoiceFilter(
        label="Visa",
        choices=[("handlingar", "Handlingar"), ("arenden", "Ärenden")],
        method="filter_nothing",
        empty_label=None,
    )
    # the export: documents or cases (by default what the search found most of)
    urval = django_filters.ChoiceFilter(
        label="Exportera",
        choices=[("handlingar", "Handlingar"), ("arenden", "Ärenden")],
        method="filter_nothing",
        empty_label=None,
    )
    sida = PageFilter(
        label="Sida",
        method="filter_nothing",
        min_value=1,
        max_value=MAX_PAGE,
        error_messages=_PAGE_ERRORS,
    )

    class Meta:
        model = SearchEntry
        fields: list[str] = []

    def filter_nothing(self, queryset, name, value):
        # The search itself runs in document_search.search_documents; these parameters only validate.
        return queryset

    def clean_dates(self):
        data = self.form.cleaned_data
        if data.get("fran") and data.get("till") and data["fran"] > data["till"]:
            self.form.add_error(
                "till", "Till-datumet måste vara samma dag som eller efter från-datumet."
            )


def parse_search(params):
    """The search page's parameters as (form, query words, filters); filters is None when
    the form has errors (the page answers 400 with them)."""
    filterset = SearchFilterSet(params, queryset=SearchEntry.objects.none())
    if not filterset.form.is_valid():
        return filterset.form, "", None
    filterset.clean_dates()
    if filterset.form.errors:
        return filterset.form, "", None
    data = filterset.form.cleaned_data
    filters = SearchFilters(
        board=data.get("namnd"),
        kind=data.get("typ") or "",
        status=data.get("status") or "",
        date_from=data.get("fran"),
        date_to=data.get("till"),
    )
    return filterset.form, (data.get("q") or "").strip(), filters
