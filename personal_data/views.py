from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import Dossier
from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response

from . import selectors, services
from .enums import RequestState
from .forms import ErasureForm, RectificationForm, RefusalForm
from .models import NameChangeRequest


def privacy(request):
    """The privacy notice (RGPD art. 13-14): public, linked from the footer; periods read from the settings."""
    return render(
        request,
        "personal_data/privacy.html",
        {
            "retention": settings.PERSONAL_DATA_RETENTION,
            "contact_email": settings.DATA_PROTECTION_CONTACT_EMAIL,
            "link_hours": settings.DATA_ARCHIVE_LINK_HOURS,
        },
    )


def _initial(user) -> dict:
    dossier = Dossier.objects.filter(candidate=user).order_by("-updated_at").first()
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    if dossier is not None:
        initial.update({name: getattr(dossier, name) for name in services.CONTACT_FIELDS})
    return initial


@permission_required("personal_data.exercise_rights")
def index(request):
    form = RectificationForm(request.POST or None, initial=_initial(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not request.user.is_candidate:
            data = {k: v for k, v in data.items() if k in ("first_name", "last_name")}
        name_request = services.contact_rectify(user=request.user, data=data)
        if name_request is not None:
            messages.info(request, _("Vos coordonnées sont enregistrées ; AUVICOM examinera votre changement de nom."))
        else:
            messages.success(request, _("Vos données sont corrigées."))
        return redirect("personal_data:index")
    return render(
        request,
        "personal_data/index.html",
        {
            "form": form,
            "archives": selectors.archives_of(request.user),
            "pending_name_change": NameChangeRequest.objects.filter(
                user=request.user, state=RequestState.PENDING
            ).first(),
            "has_submitted": services.has_submitted(request.user),
            "retention": settings.PERSONAL_DATA_RETENTION,
        },
    )


@require_POST
@permission_required("personal_data.exercise_rights")
def archive_request(request):
    services.archive_request(user=request.user)
    messages.success(
        request, _("Votre archive est en préparation ; vous recevrez un e-mail avec le lien dès qu'elle sera prête.")
    )
    return redirect("personal_data:index")


@permission_required("personal_data.exercise_rights")
def archive_download(request, token):
    try:
        archive = services.archive_for_download(token=token, user=request.user)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("personal_data:index")
    name = f"cqpt-mes-donnees-{archive.ready_at:%Y%m%d}.zip"
    return private_file_response(archive.file, content_type="application/zip", download_name=name, inline=False)


@permission_required("personal_data.exercise_rights")
def erase(request):
    form = ErasureForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        erasure = services.erasure_apply(user=request.user)
        logout(request)
        return render(request, "personal_data/erasure_done.html", {"erasure": erasure})
    return render(
        request,
        "personal_data/erase.html",
        {"form": form, "preview": selectors.erasure_preview(request.user)},
    )


@permission_required("personal_data.review_requests")
def staff_requests(request):
    return render(
        request,
        "personal_data/staff_requests.html",
        {
            "erasure_requests": selectors.erasure_requests(),
            "name_changes": selectors.pending_name_changes(),
            "refusal_form": RefusalForm(),
        },
    )


@require_POST
@permission_required("personal_data.review_requests")
def erasure_acknowledge(request, pk):
    services.erasure_acknowledge(request_id=pk, actor=request.user)
    return redirect("personal_data:staff_requests")


@permission_required("personal_data.review_requests")
def name_change_decide(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RefusalForm(request.POST)
    form.is_valid()
    try:
        services.name_change_decide(
            request_id=pk,
            actor=request.user,
            accept=request.POST.get("decision") == "accept",
            reason=form.cleaned_data.get("reason", ""),
        )
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    except NameChangeRequest.DoesNotExist:
        messages.error(request, _("Cette demande n'existe pas."))
    else:
        messages.success(request, _("La décision est enregistrée ; le candidat en est informé."))
    return redirect("personal_data:staff_requests")
