"""The Bevaka form, the confirmation page, one-click unsubscribe and an address's page.

No account: the signed links in the mails are the only keys. Confirming and stopping are
POSTs (a mail scanner that fetches every link confirms nothing); the unsubscribe URL also
takes the mail clients' one-click POST (RFC 8058), which carries no CSRF token.
"""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from portal.client_ip import client_ip

from ..models import Board, Case
from . import services, tokens
from .mails import describe, news_of
from .models import Subscription, SubscriptionKind


class SubscribeForm(forms.Form):
    epost = forms.EmailField(
        label="Din e-postadress",
        max_length=254,
        error_messages={
            "required": "Skriv din e-postadress.",
            "invalid": "Skriv en e-postadress som namn@exempel.se.",
        },
    )
    bevaka = forms.ChoiceField(choices=SubscriptionKind.choices)
    mal = forms.CharField(max_length=600, required=False)
    # A case's board (slug): a number alone can name cases of several boards.
    namnd = forms.CharField(max_length=100, required=False)
    website = forms.CharField(label="Lämna det här fältet tomt", required=False)


def _message(request, message: str, status: int, *, title: str = "Bevakning"):
    return render(
        request, "cases/alerts/message.html", {"title": title, "message": message}, status=status
    )


def subscribe(request):
    """POST from a Bevaka form; GET shows the form alone (for a link or without the page)."""
    form = SubscribeForm(request.POST if request.method == "POST" else request.GET or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "cases/alerts/subscribe.html", {"form": form}, status=status)
    if form.cleaned_data["website"]:
        return _message(
            request, "Bevakningen kunde inte tas emot. Lämna det dolda fältet tomt.", 400
        )
    data = form.cleaned_data
    target = {}
    if data["bevaka"] == SubscriptionKind.CASE:
        target["case"], problem, status = _case_to_follow(key=data["mal"], slug=data["namnd"])
        if problem:
            return _message(request, problem, status)
    elif data["bevaka"] == SubscriptionKind.BOARD:
        target["board"] = Board.objects.filter(slug=data["mal"]).first()
    else:
        target["search"] = data["mal"]
    try:
        subscription = services.request_subscription(
            email=data["epost"],
            kind=data["bevaka"],
            ip=client_ip(request),
            **target,
        )
    except services.RateLimited as error:
        form.add_error(None, str(error))
        return render(request, "cases/alerts/subscribe.html", {"form": form}, status=429)
    except services.AlertError as error:
        form.add_error(None, str(error))
        return render(request, "cases/alerts/subscribe.html", {"form": form}, status=400)
    return render(
        request,
        "cases/alerts/requested.html",
        {"email": subscription.email, "what": describe(subscription)},
    )


def _case_to_follow(*, key: str, slug: str) -> tuple[Case | None, str, int]:
    """The case a Bevaka form names by board and number: (case, "", 200), or (None, why,
    status). A number without a board is taken only when one board has it."""
    cases = Case.objects.not_cancelled().filter(dnr_key=key.strip())
    if slug:
        cases = cases.filter(board__slug=slug)
    found = list(cases.select_related("board").order_by("pk")[:2])
    if not found:
        return None, "Ärendet finns inte. Gå till ärendets sida och bevaka det där.", 404
    if len(found) > 1:
        return (
            None,
            f"Flera nämnder har ett ärende med numret {key}. "
            "Gå till ärendets sida hos rätt nämnd och bevaka det där.",
            400,
        )
    return found[0], "", 200


@never_cache
def confirm(request, token: str):
    try:
        subscription_id = tokens.read_confirm_token(token)
    except tokens.BadToken as error:
        return _message(request, str(error), 400)
    if request.method != "POST":
        subscription = get_object_or_404(
            Subscription.objects.select_related("case", "board"), pk=subscription_id
        )
        return render(
            request,
            "cases/alerts/confirm.html",
            {"what": describe(subscription), "news": news_of(subscription), "done": False},
        )
    try:
        subscription = services.confirm_subscription(subscription_id=subscription_id)
    except services.AlertError as error:
        return _message(request, str(error), 400)
    return render(
        request,
        "cases/alerts/confirm.html",
        {
            "what": describe(subscription),
            "news": news_of(subscription),
            "done": True,
            "address_token": tokens.address_token(subscription.email),
        },
    )


@csrf_exempt
@never_cache
def unsubscribe(request, token: str):
    """GET: a button; POST (the button, or a mail client's one-click): stopped."""
    try:
        value = tokens.read_unsubscribe_token(token)
    except tokens.BadToken as error:
        return _message(request, str(error), 400)
    if request.method != "POST":
        return render(request, "cases/alerts/unsubscribe.html", {"all": "e" in value})
    if "e" in value:
        services.stop_all(email=value["e"])
        message = "Du får inte längre e-post om några bevakningar från Nämndportalen."
    else:
        subscription = services.stop_subscription(subscription_id=value["s"])
        if subscription is None:
            return _message(request, "Bevakningen finns inte längre.", 404)
        message = f"Du bevakar inte längre {describe(subscription)}."
    return _message(request, message, 200, title="Bevakningen är avslutad")


@never_cache
def address(request, token: str):
    """What an address follows, each with a button to stop it."""
    try:
        email = tokens.read_address_token(token)
    except tokens.BadToken as error:
        return _message(request, str(error), 400)
    stopped = None
    if request.method == "POST":
        try:
            subscription_id = int(request.POST.get("bevakning", ""))
        except ValueError:
            return _message(request, "Välj en bevakning att avsluta.", 400)
        stopped = services.stop_subscription(subscription_id=subscription_id, email=email)
        if stopped is None:
            return _message(request, "Bevakningen finns inte.", 404)
    subscriptions = services.address_subscriptions(email)
    return render(
        request,
        "cases/alerts/address.html",
        {
            "email": email,
            "rows": [(s, describe(s)) for s in subscriptions],
            "stopped": describe(stopped) if stopped else "",
        },
    )
