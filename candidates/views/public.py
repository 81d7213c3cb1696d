from django.shortcuts import render
from django.urls import path


def eligibility_check(request):
    """Public: the 1607-hour computation on periods typed in the page, no account needed."""
    return render(request, "candidates/public/eligibility_check.html")


urlpatterns = [path("suis-je-eligible/", eligibility_check, name="eligibility_check")]
