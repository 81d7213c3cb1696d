from django.urls import path

from .views import assignment, dashboards, detail

app_name = "evaluation"
urlpatterns = [
    path("evaluateur/", dashboards.evaluator_dashboard, name="evaluator_dashboard"),
    path("cpne/", dashboards.cpne_dashboard, name="cpne_dashboard"),
    *assignment.urlpatterns,
    *detail.urlpatterns,
]
