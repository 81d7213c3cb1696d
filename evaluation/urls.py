from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("evaluateur/", views.evaluator_dashboard, name="evaluator_dashboard"),
    path("cpne/", views.cpne_dashboard, name="cpne_dashboard"),
]
