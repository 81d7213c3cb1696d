from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.decorators import ratelimit

from cqpt_portal.accounts.decorators import permission_required

from .enums import AUVICOM_ROLES, CPNE_ROLES, EVALUATOR_ROLES, Role
from .forms import LanguageForm, LoginForm, OtpTokenForm, PortalPasswordResetForm, RegistrationForm
from .models import User
from .services import password_reset_notify, user_confirm_email, user_register
from .tokens import email_confirmation_token

_throttle_ip = ratelimit(key="ip", rate="60/h", method="POST", block=True)
_throttle_email = ratelimit(key="post:email", rate="5/h", method="POST", block=True)


def ratelimited(request, exception=None):
    return render(request, "accounts/throttled.html", status=429)


@method_decorator(_throttle_ip, name="post")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
@_throttle_ip
@_throttle_email
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user_register(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            language=request.LANGUAGE_CODE if request.LANGUAGE_CODE in ("fr", "en") else "fr",
            company_siret=data.get("company_siret", ""),
            company_name=data.get("company_name", ""),
        )
        request.session["registration_email"] = data["email"]
        nxt = request.GET.get("next", "")
        url = reverse("accounts:register_done")
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            url = f"{url}?{urlencode({'next': nxt})}"
        return redirect(url)
    return render(request, "accounts/register.html", {"form": form})


def register_done(request):
    return render(request, "accounts/register_done.html", {"email": request.session.get("registration_email", "")})


def confirm_email(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not email_confirmation_token.check_token(user, token):
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    user_confirm_email(user=user)
    messages.success(request, _("Votre adresse est confirmée : vous pouvez vous connecter."))
    return redirect("accounts:login")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    @method_decorator(_throttle_ip)
    @method_decorator(_throttle_email)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Django's form e-mails synchronously; we go through the outbox instead.
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        for user in form.get_users(form.cleaned_data["email"]):
            link = reverse(
                "accounts:password_reset_confirm",
                args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)],
            )
            password_reset_notify(user=user, link=link)
        return redirect(self.success_url)


@login_required
def dashboard(request):
    """Send each role to its own dashboard."""
    user = request.user
    if user.is_administrator:
        return redirect("accounts:admin_dashboard")
    targets = {
        Role.CANDIDATE: "candidates:dashboard",
        Role.EMPLOYER: "candidates:employer_dashboard",
        Role.AUVICOM_FUNDING: "funding:dashboard",
    }
    if user.role in targets:
        return redirect(targets[user.role])
    if user.role in AUVICOM_ROLES:
        return redirect("candidates:auvicom_dashboard")
    if user.role in EVALUATOR_ROLES:
        return redirect("evaluation:evaluator_dashboard")
    if user.role in CPNE_ROLES:
        return redirect("evaluation:cpne_dashboard")
    raise PermissionDenied


@permission_required("accounts.view_admin_dashboard")
def admin_dashboard(request):
    return render(request, "accounts/admin_dashboard.html")


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
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse(default)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    user = request.user
    if not user.needs_second_factor or user.is_verified():
        return redirect(_safe_next(request))
    devices = list(devices_for_user(user, confirmed=True))
    if not devices:
        return redirect(f"{reverse('accounts:otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        for device in devices:
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                otp_login(request, device)
                return redirect(_safe_next(request))
        form.add_error(
            "token", _("Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant par votre application.")
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    user = request.user
    if not user.needs_second_factor or any(devices_for_user(user, confirmed=True)):
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Application d'authentification"), confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("La double authentification est activée sur votre compte."))
            return redirect(_safe_next(request))
        form.add_error(
            "token", _("Ce code est incorrect ou a expiré. Saisissez le code affiché maintenant par votre application.")
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code de configuration"))
    import base64

    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _safe_next(request)},
    )


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
