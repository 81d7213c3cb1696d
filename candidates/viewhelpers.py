"""Helpers shared by the candidate's step pages (candidates/views/candidate.py and documents.py).

Not a view module: views import these, never each other.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import EDITABLE_STATES
from .models import Dossier
from .selectors import current_decision
from .services import submission_problems
from .steps import STEP_KEYS, dossier_steps, step_url


def _visited_key(dossier: Dossier) -> str:
    return f"dossier-{dossier.pk}-visited"


def visited_steps(request, dossier: Dossier) -> frozenset[str]:
    """The steps the candidate has already opened in this session (the menu marks the others as not seen)."""
    return frozenset(request.session.get(_visited_key(dossier), []))


def mark_visited(request, dossier: Dossier, step: str) -> None:
    visited = set(request.session.get(_visited_key(dossier), []))
    if step not in visited:
        request.session[_visited_key(dossier)] = sorted(visited | {step})


def step_context(request, dossier: Dossier, current: str, **extra) -> dict:
    """What every step page shows: the menu, the checklist, AUVICOM's missing items, editability."""
    problems = submission_problems(dossier, reference_date=timezone.localdate())
    decision = current_decision(dossier)
    steps = dossier_steps(
        dossier,
        problems=problems,
        decision=decision,
        visited=visited_steps(request, dossier),
        current=current,
    )
    index = STEP_KEYS.index(current)
    return {
        "dossier": dossier,
        "steps": steps,
        "step": steps[index],
        "previous_step": steps[index - 1] if index > 0 else None,
        "next_step": steps[index + 1] if index + 1 < len(steps) else None,
        "problems": problems,
        "decision": decision,
        "editable": dossier.state in EDITABLE_STATES,
        **extra,
    }


def refuse_locked(request, dossier: Dossier, step: str):
    messages.error(
        request,
        _("Ce dossier n'est plus modifiable : il est « %(state)s ». Rien n'a été enregistré.")
        % {"state": dossier.get_state_display()},
    )
    return redirect(step_url(dossier, step))
