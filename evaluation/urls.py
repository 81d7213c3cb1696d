from django.urls import path

from .views import accompaniment, assignment, dashboards, detail, evidence, phases, synthesis

app_name = "evaluation"
urlpatterns = [
    path("evaluateur/", dashboards.evaluator_dashboard, name="evaluator_dashboard"),
    path("cpne/", dashboards.cpne_dashboard, name="cpne_dashboard"),
    *dashboards.urlpatterns,
    *assignment.urlpatterns,
    *detail.urlpatterns,
    *accompaniment.urlpatterns,
    *evidence.urlpatterns,
    *phases.urlpatterns,
    *synthesis.urlpatterns,
]
