from django import forms
from django.utils.translation import gettext_lazy as _


class RectificationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    address = forms.CharField(label=_("Adresse"), max_length=250, required=False)
    postal_code = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    reason = forms.CharField(
        label=_("Motif d'un changement de nom"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Après un dépôt, AUVICOM valide le changement de nom (mariage, erreur de saisie…)."),
    )


class ErasureForm(forms.Form):
    password = forms.CharField(label=_("Votre mot de passe"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(label=_("Je demande la suppression de mon compte et de mes données."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe est incorrect."))
        return password


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
