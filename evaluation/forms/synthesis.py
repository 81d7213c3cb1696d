"""The synthesis form: for each block of the CQPT acquired or not with a comment, and the overall opinion.

A synthesis may be saved incomplete (a draft); the `transmit` transition's
guard says what is missing before it leaves for the CPNE.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import Opinion
from ..services.synthesis import BlockVerdict

ACQUIRED, NOT_ACQUIRED = "acquired", "not_acquired"
BLOCK_CHOICES = [(ACQUIRED, _("Bloc acquis")), (NOT_ACQUIRED, _("Bloc non acquis"))]


class SynthesisForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("Avis global"), choices=Opinion.choices, required=False, widget=forms.RadioSelect
    )
    opinion_justification = forms.CharField(
        label=_("Justification de l'avis"), required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, evaluation, blocks, **kwargs):
        """`blocks`: the CQPT's blocks in order; the initial values come from the evaluation's synthesis rows."""
        rows = {row.block_id: row for row in evaluation.synthesis_blocks.all()}
        initial = {"opinion": evaluation.opinion, "opinion_justification": evaluation.opinion_justification}
        for block in blocks:
            row = rows.get(block.pk)
            if row is not None:
                initial[f"block_{block.pk}"] = ACQUIRED if row.acquired else NOT_ACQUIRED
                initial[f"block_{block.pk}_comment"] = row.comment
        super().__init__(*args, initial=initial, **kwargs)
        self.blocks = list(blocks)
        for block in self.blocks:
            self.fields[f"block_{block.pk}"] = forms.ChoiceField(
                label=_("Bloc %(code)s : acquis ?") % {"code": block.code},
                choices=BLOCK_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"block_{block.pk}_comment"] = forms.CharField(
                label=_("Commentaire sur le bloc %(code)s") % {"code": block.code},
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def block_fields(self, block):
        return self[f"block_{block.pk}"], self[f"block_{block.pk}_comment"]

    def verdicts(self) -> list[BlockVerdict]:
        out = []
        for block in self.blocks:
            choice = self.cleaned_data.get(f"block_{block.pk}")
            out.append(
                BlockVerdict(
                    block_id=block.pk,
                    acquired=None if not choice else choice == ACQUIRED,
                    comment=self.cleaned_data.get(f"block_{block.pk}_comment", ""),
                )
            )
        return out


class TransmitForm(forms.Form):
    """The transmission to the CPNE, confirmed; the guard checks that the synthesis is complete."""

    confirm = forms.BooleanField(
        label=_("Je confirme la transmission : la synthèse ne pourra plus être modifiée."),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer la transmission.")},
    )

    def __init__(self, *args, evaluation=None, **kwargs):
        from crispy_forms.helper import FormHelper

        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def transition_data(self) -> dict:
        return {}
