import datetime

import factory

from cases.models import Board, Case, Document


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    board = factory.LazyFunction(lambda: Board.objects.get(short_name="Hässelby-Vällingby"))
    dnr_year = 2019
    dnr_number = factory.Sequence(lambda n: 500 + n)
    dnr = factory.LazyAttribute(lambda o: f"HV {o.dnr_year}/{o.dnr_number}")
    dnr_key = factory.LazyAttribute(lambda o: f"HV {o.dnr_year}/{o.dnr_number}")
    title = factory.Sequence(lambda n: f"Medborgarförslag om parkbänkar nr {n}")
    registered_on = datetime.date(2019, 5, 2)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    case = factory.SubFactory(CaseFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    kind = Document.Kind.REPORT_TU
    title = "Tjänsteutlåtande om parkbänkar"
    document_date = datetime.date(2019, 8, 7)
    full_text = "Förvaltningens förslag till beslut: nämnden godkänner tjänsteutlåtandet."
