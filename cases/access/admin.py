"""The registrators' queue "Utlämnandebegäranden".

A registrator sees and acts on the requests of the boards they are registrator for, and no
others (the queryset is filtered, so typing another request's URL finds nothing). The
requester's address is shown only here. Requests are never deleted; they are makulerade.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from .. import queries
from ..models import BoardMembership
from . import services
from .forms import CancelForm, ClarificationForm, DecisionForm
from .models import AccessRequest, AccessRequestItem, RequestStatus

REGISTRAR = BoardMembership.Role.REGISTRAR


def is_registrar(user, board=None) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    if board is None:
        return queries.staff_boards(user, REGISTRAR).exists()
    return queries.is_member(user, board, REGISTRAR)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("oppna", "Att pröva"), *RequestStatus.choices]

    def queryset(self, request, queryset):
        if self.value() == "oppna":
            return queryset.filter(status__in=[RequestStatus.RECEIVED, RequestStatus.CLARIFICATION])
        if self.value() in RequestStatus.values:
            return queryset.filter(status=self.value())
        return queryset


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "board", "status", "clock", "received_at", "documents"]
    list_filter = [StatusFilter, "board"]
    list_select_related = ["board"]
    ordering = ["received_at", "id"]
    actions = None

    def get_queryset(self, request):
        requests = super().get_queryset(request).annotate(document_count=Count("items"))
        if request.user.is_superuser:
            return requests
        return requests.filter(board__in=queries.staff_boards(request.user, REGISTRAR))

    @admin.display(description="inkom", ordering="received_at")
    def clock(self, obj):
        end = obj.answered_at or timezone.now()
        prefix = "besvarad efter" if obj.answered_at else "inkom för"
        suffix = "" if obj.answered_at else " sedan"
        return f"{prefix} {timesince(obj.received_at, end, depth=1)}{suffix}"

    @admin.display(description="handlingar", ordering="document_count")
    def documents(self, obj):
        return obj.document_count

    def _registrar_anywhere(self, request) -> bool:
        # Asked for every link on an admin page; answered once per request.
        if not hasattr(request, "_access_registrar"):
            request._access_registrar = is_registrar(request.user)
        return request._access_registrar

    def has_module_permission(self, request):
        return self._registrar_anywhere(request)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self._registrar_anywhere(request)
        return is_registrar(request.user, obj.board)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The request with its handlings (sekretess marking, OSL) and the four actions."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_change_permission(request, obj):
            raise Http404("Begäran finns inte bland din nämnds begäranden.")
        items = list(
            AccessRequestItem.objects.filter(request=obj).select_related(
                "document", "document__case"
            )
        )
        forms = {
            "decide": DecisionForm(items=items),
            "clarify": ClarificationForm(),
            "cancel": CancelForm(),
        }
        action = request.POST.get("action") if request.method == "POST" else None
        if action in forms:
            bound = (
                DecisionForm(request.POST, items=items)
                if action == "decide"
                else type(forms[action])(request.POST)
            )
            forms[action] = bound
            if bound.is_valid():
                try:
                    self._act(request, obj, action, bound)
                except services.AccessError as error:
                    bound.add_error(None, str(error))
                else:
                    url = reverse("admin:cases_accessrequest_change", args=[obj.pk])
                    return HttpResponseRedirect(url)
        elif action is not None:
            raise PermissionDenied
        obj = (
            AccessRequest.objects.select_related("order", "board")
            .prefetch_related(Prefetch("events"))
            .get(pk=obj.pk)
        )
        context = {
            **self.admin_site.each_context(request),
            "title": str(obj),
            "opts": self.opts,
            "original": obj,
            "items": items,
            "decision_form": forms["decide"],
            "clarification_form": forms["clarify"],
            "cancel_form": forms["cancel"],
            "clock": self.clock(obj),
        }
        status = 400 if action in forms else 200
        return render(request, "admin/cases/accessrequest/change_form.html", context, status=status)

    def _act(self, request, obj, action, form):
        user = request.user.get_username()
        base_url = request.build_absolute_uri("/")
        data = form.cleaned_data
        if action == "decide":
            services.decide_request(
                request=obj,
                outcomes=form.outcomes(),
                reasoning=data["reasoning"],
                decided_by=user,
                base_url=base_url,
            )
            messages.success(request, "Beslutet är fattat och skickat till sökanden.")
        elif action == "clarify":
            services.request_clarification(
                request=obj, question=data["question"], asked_by=user, base_url=base_url
            )
            messages.success(request, "Sökanden har ombetts att precisera sin begäran.")
        else:
            services.cancel_request(
                request=obj, reason=data["reason"], cancelled_by=user, base_url=base_url
            )
            messages.success(request, "Begäran är makulerad.")
