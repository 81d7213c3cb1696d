from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.register, name="register"),
    path("inscription/employeur/", views.register_employer, name="register_employer"),
    path("inscription/envoyee/", views.register_done, name="register_done"),
    path("confirmer/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/force/", views.password_strength_view, name="password_strength"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("double-authentification/", views.otp_verify, name="otp_verify"),
    path("double-authentification/configurer/", views.otp_setup, name="otp_setup"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("employeur-en-attente/", views.employer_pending, name="employer_pending"),
    path("administration/", views.admin_dashboard, name="admin_dashboard"),
    path("profil/", views.profile, name="profile"),
]
