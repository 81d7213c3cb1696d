"""Forms of the quiz: they shape the input; the rules are the services' and the workflow's."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import IncidentKind, QuestionKind
from .models import QuizDefinition


class AnswerForm(forms.Form):
    """One question: radio buttons (single choice) or checkboxes (multiple); choices in the drawn order."""

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        options = [(c["key"], c["text"]) for c in item.choices]
        if item.kind == QuestionKind.SINGLE:
            self.fields["choices"] = forms.ChoiceField(
                label=item.text, choices=options, widget=forms.RadioSelect, required=False
            )
        else:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=item.text,
                choices=options,
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Plusieurs réponses possibles."),
            )
        if item.selected:
            self.initial["choices"] = item.selected[0] if item.kind == QuestionKind.SINGLE else item.selected

    @staticmethod
    def keys_from(data) -> list[str]:
        """The keys posted, whatever they are: the service refuses any that is not the question's."""
        return [k for k in data.getlist("choices") if k]


class OpenAttemptForm(forms.Form):
    definition = forms.ModelChoiceField(label=_("Quiz"), queryset=QuizDefinition.objects.none(), empty_label=None)
    window_opens_at = forms.DateTimeField(
        label=_("À passer à partir du"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    window_closes_at = forms.DateTimeField(
        label=_("À commencer avant le"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = definitions
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["window_opens_at"].initial = now.strftime("%Y-%m-%dT%H:%M")
        self.fields["window_closes_at"].initial = (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")


class ExtraTimeForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Temps supplémentaire total (minutes)"),
        min_value=0,
        max_value=600,
        help_text=_("Par exemple un tiers de la durée du quiz pour un candidat en situation de handicap."),
    )
    reason = forms.CharField(label=_("Motif de l'aménagement"), widget=forms.Textarea(attrs={"rows": 2}))


class NeutraliseForm(forms.Form):
    position = forms.IntegerField(label=_("Numéro de la question"), min_value=1)
    reason = forms.CharField(label=_("Motif de la neutralisation"), widget=forms.Textarea(attrs={"rows": 2}))


class NewAttemptForm(forms.Form):
    comment = forms.CharField(
        label=_("Motif de la nouvelle tentative"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Nature de l'incident"), choices=IncidentKind.choices)
    position = forms.IntegerField(label=_("Numéro de la question concernée (facultatif)"), min_value=1, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_(
            "Colonnes : cqpt ; bloc ; type (unique ou multiple) ; question ; choix (séparés par « | ») ; "
            "bonnes_reponses (numéros, ex. « 1,3 ») ; explication. Encodage UTF-8."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Le fichier doit être encodé en UTF-8.")) from None
