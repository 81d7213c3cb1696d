from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..eligibility import MAX_HOURS_PER_DAY, MAX_HOURS_PER_WEEK, REQUIRED_HOURS, compute_eligibility, window_for
from ..forms.public import EligibilityFormSet


def eligibility_check(request):
    """Public: the 1607-hour computation on periods typed in the page, no account needed, nothing stored."""
    today = timezone.localdate()
    eligibility = None
    form_was_incomplete = False
    if request.method == "POST":
        formset = EligibilityFormSet(request.POST)
        if not formset.management_form.is_valid():  # a stale or tampered page: start again, with a message
            formset, form_was_incomplete = EligibilityFormSet(), True
        elif "add_period" in request.POST:
            formset = formset.redisplayed(add_row=True)
        elif formset.is_valid():
            eligibility = compute_eligibility(formset.period_inputs(), today)
            formset = formset.redisplayed(drop_blank=True)
    else:
        formset = EligibilityFormSet()
    window_start, window_end = window_for(today)
    return render(
        request,
        "candidates/public/eligibility_check.html",
        {
            "formset": formset,
            "eligibility": eligibility,
            "form_was_incomplete": form_was_incomplete,
            "window_start": window_start,
            "window_end": window_end,
            "required_hours": REQUIRED_HOURS,
            "max_hours_per_week": MAX_HOURS_PER_WEEK,
            "max_hours_per_day": MAX_HOURS_PER_DAY,
        },
    )


urlpatterns = [path("suis-je-eligible/", eligibility_check, name="eligibility_check")]
