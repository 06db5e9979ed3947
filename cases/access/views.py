"""Public pages: the basket (session, no account), the order form, the status page.

The basket is a list of document ids in the session. The status page is reached only by its
order's unguessable token and shows only that order.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.client_ip import client_ip

from . import queries, services
from .forms import ClarificationAnswerForm, OrderForm
from .models import RequestStatus

BASKET_KEY = "access_basket"


def basket_ids(request) -> list[int]:
    return list(request.session.get(BASKET_KEY, []))


def _error(request, message: str, status: int):
    return render(request, "cases/error.html", {"message": message}, status=status)


@require_POST
def add_to_basket(request):
    try:
        document_id = int(request.POST.get("handling", ""))
    except ValueError:
        return _error(request, "Ange vilken handling du vill begära ut.", 400)
    if not queries.basket_documents([document_id]):
        return _error(request, "Handlingen finns inte, eller är makulerad.", 404)
    ids = basket_ids(request)
    if document_id not in ids:
        if len(ids) >= services.MAX_DOCUMENTS:
            message = f"Du kan begära högst {services.MAX_DOCUMENTS} handlingar åt gången."
            return _error(request, message, 400)
        ids.append(document_id)
        request.session[BASKET_KEY] = ids
    return redirect(reverse("cases:access-basket") + "#bestallning", permanent=False)


@require_POST
def remove_from_basket(request):
    try:
        document_id = int(request.POST.get("handling", ""))
    except ValueError:
        return _error(request, "Ange vilken handling du vill ta bort.", 400)
    request.session[BASKET_KEY] = [i for i in basket_ids(request) if i != document_id]
    return redirect("cases:access-basket")


def basket(request):
    """The basket and the order form; sending it creates one request per owning board."""
    documents = queries.basket_documents(basket_ids(request))
    form = OrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_spam:
            return _error(request, "Begäran kunde inte tas emot. Lämna det dolda fältet tomt.", 400)
        if not documents:
            form.add_error(None, "Din beställning är tom. Lägg till handlingar med Begär ut.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                order = services.submit_order(
                    document_ids=[d.pk for d in documents],
                    email=data["email"],
                    delivery=data["delivery"],
                    message=data["message"],
                    ip=client_ip(request),
                    base_url=request.build_absolute_uri("/"),
                )
            except services.RateLimited as error:
                form.add_error(None, str(error))
                status = 429
            except services.AccessError as error:
                form.add_error(None, str(error))
            else:
                request.session[BASKET_KEY] = []
                return redirect(order.get_absolute_url() + "?skickad=1")
    return render(
        request,
        "cases/access/basket.html",
        {"documents": [(d, services.item_label(d)) for d in documents], "form": form},
        status=status,
    )


@never_cache
def order_status(request, token: str):
    order = queries.order_for_status(token)
    if order is None:
        return _error(request, "Det finns ingen begäran med den länken. Kontrollera länken.", 404)
    form = ClarificationAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.give_clarification(
                    order=order,
                    answer=form.cleaned_data["answer"],
                    base_url=request.build_absolute_uri("/"),
                )
            except services.AccessError as error:
                form.add_error(None, str(error))
            else:
                return redirect(order.get_absolute_url())
    requests = list(order.requests.all())
    for access_request in requests:
        access_request.labelled_items = [
            (item, services.item_label(item.document)) for item in access_request.items.all()
        ]
    waiting = any(r.status == RequestStatus.CLARIFICATION for r in requests)
    return render(
        request,
        "cases/access/status.html",
        {
            "order": order,
            "requests": requests,
            "answer_form": form if waiting else None,
            "status_url": request.build_absolute_uri(order.get_absolute_url()),
            "just_sent": request.GET.get("skickad") == "1",
        },
        status=status,
    )
