"""Forms of phase 1 (the dossier de preuves) and of the assessment of a phase, competency by competency.

They shape the input; the rules are the services' and the workflow's guards,
whose refusals go next to the fields they name.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.validation import validate_document_upload

from ..enums import PHASE_RESULTS, Phase, PhaseResult


class _Form(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and the button."""

    def __init__(self, *args, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CompetencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.title}"


class EvidenceForm(_Form):
    """A piece of evidence: the file (checked by its content), the situation it proves, its competencies."""

    file = forms.FileField(
        label=_("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )
    description = forms.CharField(
        label=_("Situation prouvée"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("En quelques lignes : ce que vous avez fait, où et quand."),
    )
    competencies = CompetencyChoiceField(
        label=_("Compétences prouvées"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une compétence.")},
    )

    def __init__(self, *args, grid=None, **kwargs):
        super().__init__(*args, **kwargs)
        from catalogue.models import Competency

        cqpt_id = self.evaluation.dossier.cqpt_id if self.evaluation is not None else None
        self.fields["competencies"].queryset = Competency.objects.filter(block__cqpt_id=cqpt_id).order_by(
            "block__position", "position", "code"
        )
        if grid is not None:  # the page's grid already holds them: no extra query to render the choices
            self.fields["competencies"].choices = [
                (c.pk, f"{c.code} – {c.title}") for block in grid for c in block.competencies.all()
            ]
        self.detected = None

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.detected = validate_document_upload(uploaded)
        return uploaded


class ReturnEvidenceForm(_Form):
    """Send the dossier de preuves back once, saying what is missing."""

    comment = forms.CharField(
        label=_("Preuves complémentaires attendues"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
    )

    def transition_data(self) -> dict:
        return {"comment": self.cleaned_data.get("comment") or ""}


class CloseEvidenceForm(_Form):
    """Close the dossier de preuves with its result."""

    result = forms.ChoiceField(
        label=_("Résultat de la phase"),
        choices=[("", _("— choisir —")), *PhaseResult.choices],
        required=False,
    )
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def transition_data(self) -> dict:
        return {"result": self.cleaned_data.get("result") or "", "comment": self.cleaned_data.get("comment") or ""}


class AssessmentForm(forms.Form):
    """One result and one comment per competency of the grid, with the results allowed in the phase."""

    def __init__(self, *args, phase, grid, existing, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— non évaluée —"))] + [(r.value, r.label) for r in PHASE_RESULTS[Phase(phase)]]
        self.rows = []
        for block in grid:
            rows = []
            for competency in block.competencies.all():
                current = existing.get(competency.pk)
                result_name, comment_name = f"result_{competency.pk}", f"comment_{competency.pk}"
                self.fields[result_name] = forms.ChoiceField(
                    label=_("Résultat"),
                    choices=choices,
                    required=False,
                    initial=current.result if current else "",
                )
                self.fields[comment_name] = forms.CharField(
                    label=_("Commentaire"),
                    required=False,
                    max_length=4000,
                    initial=current.comment if current else "",
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
                rows.append({"competency": competency, "result": result_name, "comment": comment_name})
            self.rows.append({"block": block, "rows": rows})

    def bound_rows(self):
        return [
            {
                "block": group["block"],
                "rows": [
                    {"competency": r["competency"], "result": self[r["result"]], "comment": self[r["comment"]]}
                    for r in group["rows"]
                ],
            }
            for group in self.rows
        ]

    def results(self) -> dict[int, tuple[str, str]]:
        out = {}
        for group in self.rows:
            for r in group["rows"]:
                out[r["competency"].pk] = (
                    self.cleaned_data.get(r["result"]) or "",
                    self.cleaned_data.get(r["comment"]) or "",
                )
        return out
