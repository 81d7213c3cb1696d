import base64
from urllib.parse import urlencode

import segno
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.notifications.selectors import notifications_failed

from .enums import AUVICOM_ROLES, CPNE_ROLES, EVALUATOR_ROLES, Role
from .forms import LanguageForm, LoginForm, OtpTokenForm, PortalPasswordResetForm, RegistrationForm
from .models import User
from .passwords import MAX_LENGTH, password_strength
from .services import password_reset_request, safe_next_path, user_confirm_email, user_register
from .throttling import client_is_spraying
from .tokens import email_confirmation_token

# Per client address, and per e-mail typed in the form (registration, reset).
_throttle_ip = ratelimit(key="ip", rate="60/h", method="POST", block=True)
_throttle_email = ratelimit(key="post:email", rate="5/h", method="POST", block=True)


def ratelimited(request, exception=None):
    """RATELIMIT_VIEW: the French 'too many attempts' page."""
    return render(request, "accounts/throttled.html", status=429)


def _with_next(path: str, next_path: str) -> str:
    return f"{path}?{urlencode({'next': next_path})}" if next_path else path


@method_decorator(_throttle_ip, name="post")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if client_is_spraying(request):
            return ratelimited(request)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
@_throttle_ip
@_throttle_email
def register(request):
    """A candidate's account: no company fields (employers have their own page)."""
    return _register(request, role=Role.CANDIDATE)


@require_http_methods(["GET", "POST"])
@_throttle_ip
@_throttle_email
def register_employer(request):
    """An employer's account, tied to its company by SIRET (verified later by an administrator)."""
    return _register(request, role=Role.EMPLOYER)


def _register(request, *, role):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    next_path = safe_next_path(request.GET.get("next"))
    form = RegistrationForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_register(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fr", "en") else "fr",
            company_siret=data["company_siret"],
            company_name=data["company_name"],
            next_path=next_path,
        )
        # Same page whether the address was free or not: nothing to enumerate.
        request.session["registration_email"] = data["email"]
        return redirect(_with_next(reverse("accounts:register_done"), next_path))
    return render(
        request, "accounts/register.html", {"form": form, "next": next_path, "is_employer": role == Role.EMPLOYER}
    )


def register_done(request):
    return render(
        request,
        "accounts/register_done.html",
        {"email": request.session.get("registration_email", ""), "next": safe_next_path(request.GET.get("next"))},
    )


# As Django's reset view does: the token goes into the session and the browser moves to a token-free address.
CONFIRM_MARKER = "adresse"
_CONFIRM_SESSION_KEY = "_email_confirmation_token"


@require_http_methods(["GET", "POST"])
def confirm_email(request, uidb64, token):
    """GET shows a button, POST confirms: mail scanners that open links do not use up the single-use link."""
    next_path = safe_next_path(request.POST.get("next") or request.GET.get("next"))
    if token != CONFIRM_MARKER:
        request.session[_CONFIRM_SESSION_KEY] = token
        return redirect(_with_next(reverse("accounts:confirm_email", args=[uidb64, CONFIRM_MARKER]), next_path))
    token = request.session.get(_CONFIRM_SESSION_KEY, "")
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not email_confirmation_token.check_token(user, token):
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "GET":
        return render(request, "accounts/confirm_email.html", {"email": user.email, "next": next_path})
    user_confirm_email(user=user)
    request.session.pop(_CONFIRM_SESSION_KEY, None)
    messages.success(request, _("Votre adresse est confirmée : vous pouvez vous connecter."))
    return redirect(_with_next(reverse("accounts:login"), next_path))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    @method_decorator(_throttle_ip)
    @method_decorator(_throttle_email)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Django's form e-mails synchronously and would bypass the outbox.
        password_reset_request(email=form.cleaned_data["email"])
        return redirect(self.success_url)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proved they own the address may log in at once, even if the account was locked.
        axes_reset(username=self.user.email.lower())
        return response


@login_required
def dashboard(request):
    """Send each role to its own dashboard."""
    user = request.user
    if user.is_administrator:
        return redirect("accounts:admin_dashboard")
    if user.role == Role.EMPLOYER and not user.is_verified_employer:
        return redirect("accounts:employer_pending")
    targets = {
        Role.CANDIDATE: "candidates:dashboard",
        Role.EMPLOYER: "candidates:employer_dashboard",
        Role.AUVICOM_FUNDING: "funding:dashboard",
    }
    if user.role in targets:
        return redirect(targets[user.role])
    if user.role in AUVICOM_ROLES:
        return redirect("candidates:auvicom_dashboard")
    if user.role == Role.EVALUATOR_MANAGER and user.evaluator_organisation_id:
        return redirect("evaluation:manager_dashboard")
    if user.role in EVALUATOR_ROLES:
        return redirect("evaluation:evaluator_dashboard")
    if user.role in CPNE_ROLES:
        return redirect("cpne:dashboard")
    raise PermissionDenied


@login_required
def employer_pending(request):
    """What a self-registered employer sees until an administrator has verified their link with the company."""
    user = request.user
    if user.role != Role.EMPLOYER or user.is_verified_employer:
        return redirect("accounts:dashboard")
    return render(request, "accounts/employer_pending.html", {"company": user.company})


@permission_required("accounts.view_admin_dashboard")
def admin_dashboard(request):
    pending_employers = User.objects.filter(
        role=Role.EMPLOYER, is_active=True, company_verified_at__isnull=True
    ).count()
    failed_notifications = notifications_failed().count()
    return render(
        request,
        "accounts/admin_dashboard.html",
        {"pending_employers": pending_employers, "failed_notifications": failed_notifications},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        messages.success(request, _("Vos préférences sont enregistrées."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form})


def _safe_next(request, default="accounts:dashboard"):
    return safe_next_path(request.POST.get("next") or request.GET.get("next")) or reverse(default)


def _otp_check(devices, token: str):
    """The device that accepts `token`, or (None, the French reason to show next to the field)."""
    throttled = False
    for device in devices:
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            # django-otp doubles the wait after each wrong code: guessing is pointless.
            throttled = True
        elif device.verify_token(token):
            return device, ""
    if throttled:
        return None, _("Trop de codes erronés : attendez quelques secondes avant de réessayer.")
    return None, _("Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant par votre application.")


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    user = request.user
    if not user.needs_second_factor or user.is_verified():
        return redirect(_safe_next(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(_with_next(reverse("accounts:otp_setup"), _safe_next(request)))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, reason = _otp_check(devices, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", reason)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    user = request.user
    if not user.needs_second_factor or any(devices_for_user(user, confirmed=True)):
        # Enrolment is for a first device only: replacing one goes through an administrator.
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Application d'authentification"), confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, reason = _otp_check([device], form.cleaned_data["token"])
        if accepted is not None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("La double authentification est activée sur votre compte."))
            return redirect(_safe_next(request))
        form.add_error("token", reason)
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code de configuration"))
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _safe_next(request),
        },
    )


@require_http_methods(["POST"])
@ratelimit(key="ip", rate="600/h", method="POST", block=True)
def password_strength_view(request):
    """The strength of the password being typed (static/js/password-strength.js): JSON, never logged or stored.

    POST so that the password stays out of URLs and logs; the same estimate as the validator that decides.
    """
    password = request.POST.get("password", "")[: MAX_LENGTH + 1]
    user = request.user if request.user.is_authenticated else None
    strength = password_strength(password, user)
    errors = []
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        errors = list(error.messages)
    return JsonResponse(
        {"score": strength["score"], "label": strength["label"], "accepted": not errors, "reasons": errors}
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
