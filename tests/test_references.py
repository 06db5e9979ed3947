"""Cross-references between boards: recorded from text, resolved both ways, near-misses flagged."""

import datetime

import pytest

from cases import queries
from cases.models import Document, Reference
from cases.services import registering

DAY = datetime.date(2019, 8, 7)


def case(board, dnr, title="Ärende"):
    return registering.register_case(board=board, dnr=dnr, title=title, registered_on=DAY)


def document(case, text, **kw):
    return registering.add_document(
        case=case,
        title="Tjänsteutlåtande",
        kind="tjansteutlatande",
        full_text=text,
        document_date=DAY,
        **kw,
    )


def test_reference_resolves_across_boards_both_ways(client, hv, ks):
    remiss = case(ks, "KS 2019/656", "Remiss om hemlöshet")
    answer = case(hv, "HV 2019/250", "Svar på remiss om hemlöshet")
    document(answer, "Remiss från kommunstyrelsen\nDnr KS 2019/656\nFörvaltningens förslag.")

    outgoing = queries.case_page(answer).refers_to
    incoming = queries.case_page(remiss).referred_from

    assert [(g.board_name, [r.target for r in g.references]) for g in outgoing] == [
        ("Kommunstyrelsen", [remiss])
    ]
    assert outgoing[0].references[0].relation == "remiss-fran"
    assert [(g.board_name, [r.source.case for r in g.references]) for g in incoming] == [
        ("Hässelby-Vällingby stadsdelsnämnd", [answer])
    ]
    html = client.get(remiss.get_absolute_url()).content.decode()
    assert f'href="{answer.get_absolute_url()}"' in html


def test_one_answer_shows_on_all_three_proposals(hv):
    proposals = [case(hv, dnr) for dnr in ["HV 2019/272", "HV 2019/259", "HV 2019/19"]]
    answer = case(hv, "HV 2019/300", "Svar på tre medborgarförslag")
    document(answer, "Svar på tre medborgarförslag dnr HV 2019/272, HV 2019/259 samt HV 2019/19.")

    for proposal in proposals:
        [group] = queries.case_page(proposal).referred_from
        assert [r.source.case for r in group.references] == [answer]


def test_unresolved_reference_resolves_when_case_registered_later(hv):
    answer = case(hv, "HV 2019/300")
    document(answer, "Se medborgarförslaget HV 2019/19.")
    reference = Reference.objects.get()
    assert (reference.status, reference.target) == ("unresolved", None)

    proposal = case(hv, "HV 2019/19")

    reference.refresh_from_db()
    assert (reference.status, reference.target) == ("resolved", proposal)


def test_reference_resolves_through_alias(hv):
    proposal = registering.register_case(
        board=hv, dnr="HV 2019/12", title="Nälsta", registered_on=DAY, aliases=("1.2.4-231-2019",)
    )
    answer = case(hv, "HV 2019/301")
    document(answer, "Medborgarförslaget med dnr 1.2.4-231-2019 besvaras.")

    assert Reference.objects.get().target == proposal


def test_near_miss_number_is_flagged_not_linked(hv):
    intended = case(hv, "HV 2019/254")
    answer = case(hv, "HV 2019/302")
    document(answer, "Svar på skrivelse VH 2019/254 från Liberalerna.")

    reference = Reference.objects.get()
    assert (reference.status, reference.target, reference.suspected_target) == (
        "near_miss",
        None,
        intended,
    )


def test_own_number_is_not_a_reference(hv):
    answer = case(hv, "HV 2019/307")
    document(answer, "Tjänsteutlåtande Dnr HV 2019/307 Sida 1 (1)")

    assert Reference.objects.count() == 0


def test_references_from_confidential_documents_stay_hidden(hv):
    target = case(hv, "HV 2019/19")
    secret = case(hv, "HV 2019/400")
    document(secret, "Gäller HV 2019/19.", confidential=True, osl_reference="26 kap. 1 §")

    assert queries.case_page(target).referred_from == []
    assert Document.objects.filter(case=secret).count() == 1


@pytest.mark.parametrize(
    "typed",
    ["hv 2019/272", "HV2019/272", "HV-2019-272", "HV 2019/0272", "2019/272", "HV 2019/272-3"],
)
def test_lookup_any_spelling_finds_the_case(hv, typed):
    target = case(hv, "HV 2019/272")

    lookup = queries.lookup_dnr(typed)

    assert lookup.cases == [target]


def test_lookup_prefixless_never_matches_longer_number(hv):
    case(hv, "HV 2019/167")

    assert queries.lookup_dnr("2019/16").cases == []


def test_lookup_prefixless_lists_all_boards(hv, ks):
    at_hv = case(hv, "HV 2019/272")
    at_ks = case(ks, "KS 2019/272")

    assert queries.lookup_dnr("2019/272").cases == [at_hv, at_ks]


def test_lookup_by_old_format_alias(hv):
    target = registering.register_case(
        board=hv, dnr="HV 2019/12", title="Nälsta", registered_on=DAY, aliases=("1.2.4-231-2019",)
    )

    assert queries.lookup_dnr("1.2.4-231-2019").cases == [target]


def test_lookup_page_shows_choice_for_several(client, hv, ks):
    case(hv, "HV 2019/272")
    case(ks, "KS 2019/272")

    response = client.get("/dnr/", {"q": "2019/272"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 ärenden har numret 2019/272" in html
    assert 'href="/namnd/hasselby-vallingby/arende/HV%202019/272/"' in html
    assert 'href="/namnd/kommunstyrelsen/arende/KS%202019/272/"' in html


def test_lookup_unique_redirects_to_case(client, hv):
    target = case(hv, "HV 2019/272")

    response = client.get("/dnr/", {"q": "hv2019-272-3"})

    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url() + "?handling=3#handling-3"


def test_reference_to_an_outside_body_names_it_as_an_external_board(client, hv):
    answer = case(hv, "HV 2019/250", "Svar till Länsstyrelsen")
    document(answer, "Begäran från Länsstyrelsen, dnr 505-08-64515.\nFörvaltningens svar.")

    [reference] = Reference.objects.select_related("board")
    home = client.get("/").content.decode()

    assert (reference.raw, reference.board.name, reference.board.kind) == (
        "505-08-64515",
        "Länsstyrelsen i Stockholms län",
        "extern",
    )
    assert "Länsstyrelsen i Stockholms län" not in home
