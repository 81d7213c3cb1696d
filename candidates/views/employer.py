"""The employer's pages, and the public page of an invitation link."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.workflow import add_refusal_to_form

from ..enums import InvitationState
from ..forms.employer import InvitationForm, PeriodConfirmationForm
from ..models import EmployerInvitation, ExperiencePeriod
from ..selectors import DeferredJoinPaginator
from ..services.employer import (
    employer_invitations,
    employer_periods_answered,
    employer_periods_to_confirm,
    employer_shared_dossiers,
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_problems,
    invitation_resend,
    invitation_revoke,
    period_answer_closed,
    period_confirm,
)

PAGE_SIZE = 20


def _page(request, queryset, param, *, paginator=Paginator):
    return paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))


@permission_required("candidates.view_employer_dashboard")
def employer_dashboard(request):
    company = request.user.company
    return render(
        request,
        "candidates/employer/dashboard.html",
        {
            "company": company,
            "invitations": _page(request, employer_invitations(company=company), "invitations"),
            # A large company's periods: ids first, in index order, then the page's rows (no OFFSET over joins).
            "periods": _page(
                request, employer_periods_to_confirm(company=company), "periodes", paginator=DeferredJoinPaginator
            ),
            "answered_periods": _page(
                request, employer_periods_answered(company=company), "reponses", paginator=DeferredJoinPaginator
            ),
            "shared_dossiers": _page(request, employer_shared_dossiers(company=company), "dossiers"),
        },
    )


@permission_required("candidates.invite_employee")
@require_http_methods(["GET", "POST"])
def invitation_new(request):
    form = InvitationForm(request.POST or None, company=request.user.company)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(invited_by=request.user, **form.cleaned_data)
        except ActionRefused as error:
            if error.fields:
                add_refusal_to_form(form, error)
            else:
                for message in error.messages:
                    form.add_error("email", message)
        else:
            messages.success(
                request,
                _("Votre proposition est envoyée à %(email)s. Le lien est valable 14 jours.")
                % {"email": invitation.email},
            )
            return redirect("candidates:employer_dashboard")
    return render(request, "candidates/employer/invitation_form.html", {"form": form})


@permission_required("candidates.manage_invitation", lookup=(EmployerInvitation, "pk"))
@require_POST
def invitation_revoke_view(request, obj):
    try:
        invitation_revoke(invitation_id=obj.pk, actor=request.user)
    except ActionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("La proposition à %(email)s est annulée : son lien ne fonctionne plus.") % {"email": obj.email}
        )
    return redirect("candidates:employer_dashboard")


@permission_required("candidates.manage_invitation", lookup=(EmployerInvitation, "pk"))
@require_POST
def invitation_resend_view(request, obj):
    try:
        invitation_resend(invitation_id=obj.pk, actor=request.user)
    except ActionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Le lien a été renvoyé à %(email)s.") % {"email": obj.email})
    return redirect("candidates:employer_dashboard")


@permission_required("candidates.confirm_period", lookup=(ExperiencePeriod, "pk"))
@require_http_methods(["GET", "POST"])
def period_confirmation_view(request, obj):
    period = obj
    dossier = period.dossier
    closed = period_answer_closed(dossier)
    form = PeriodConfirmationForm(request.POST or None)
    if request.method == "POST" and not closed and form.is_valid():
        try:
            period_confirm(
                period_id=period.pk,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ActionRefused as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Votre réponse est enregistrée ; le candidat en est informé."))
            return redirect("candidates:employer_dashboard")
    return render(
        request,
        "candidates/employer/period_confirmation.html",
        {"period": period, "dossier": dossier, "form": form, "closed": closed},
    )


# --- the invitation link (public: the token is the key) -----------------------------------


# Like Django's password reset: the link's token goes into the session and the browser is sent to a
# token-free address, so that access logs, Referer headers and history never hold a live token.
OPEN_INVITATION = "ouverte"
_SESSION_KEY = "_invitation_token"


def _invitation_by_token(request, token):
    if token == OPEN_INVITATION:
        token = request.session.get(_SESSION_KEY, "")
    return get_object_or_404(
        EmployerInvitation.objects.select_related("company", "cqpt", "invited_by", "dossier"), token=token
    )


def invitation_detail(request, token):
    """What the employer proposes, and what the visitor can do about it."""
    if token != OPEN_INVITATION:
        request.session[_SESSION_KEY] = token
        return redirect("candidates:invitation", token=OPEN_INVITATION)
    invitation = _invitation_by_token(request, token)
    closed_problems = invitation_problems(invitation)
    accept_problems = closed_problems or invitation_problems(invitation, user=request.user, accepting=True)
    here = request.get_full_path()
    accepted_by_me = (
        invitation.state == InvitationState.ACCEPTED
        and request.user.is_authenticated
        and invitation.accepted_by_id == request.user.pk
    )
    return render(
        request,
        "candidates/employer/invitation_detail.html",
        {
            "invitation": invitation,
            "closed_problems": closed_problems,
            "accept_problems": accept_problems,
            "accepted_by_me": accepted_by_me,
            "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
            "register_url": f"{reverse('accounts:register')}?{urlencode({'next': here})}",
        },
    )


@require_POST
def invitation_accept_view(request, token):
    invitation = _invitation_by_token(request, token)
    token = OPEN_INVITATION
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("candidates:invitation", args=[token]))
    try:
        dossier = invitation_accept(invitation_id=invitation.pk, user=request.user)
    except ActionRefused as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("candidates:invitation", token=token)
    messages.success(
        request,
        _("Votre dossier est créé et prérempli avec la proposition de votre employeur. Complétez-le puis déposez-le."),
    )
    return redirect("candidates:dossier_detail", pk=dossier.pk)


@require_POST
def invitation_decline_view(request, token):
    invitation = _invitation_by_token(request, token)
    token = OPEN_INVITATION
    actor = request.user if request.user.is_authenticated else None
    try:
        invitation_decline(invitation_id=invitation.pk, actor=actor)
    except ActionRefused as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Vous avez décliné la proposition ; votre employeur en est informé."))
    return redirect("candidates:invitation", token=token)


urlpatterns = [
    path("employeur/", employer_dashboard, name="employer_dashboard"),
    path("employeur/proposer/", invitation_new, name="employer_invitation_new"),
    path("employeur/proposition/<int:pk>/annuler/", invitation_revoke_view, name="employer_invitation_revoke"),
    path("employeur/proposition/<int:pk>/renvoyer/", invitation_resend_view, name="employer_invitation_resend"),
    path("employeur/periode/<int:pk>/", period_confirmation_view, name="employer_period_confirmation"),
    path("invitation/<str:token>/", invitation_detail, name="invitation"),
    path("invitation/<str:token>/accepter/", invitation_accept_view, name="invitation_accept"),
    path("invitation/<str:token>/decliner/", invitation_decline_view, name="invitation_decline"),
]
