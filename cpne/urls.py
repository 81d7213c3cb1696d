from django.urls import path

from . import views

app_name = "cpne"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("seances/nouvelle/", views.meeting_create, name="meeting_create"),
    path("seances/<int:pk>/", views.meeting_detail, name="meeting"),
    path("seances/<int:pk>/action/", views.meeting_transition, name="meeting_transition"),
    path("seances/<int:pk>/presences/", views.attendance, name="attendance"),
    path("seances/<int:pk>/proces-verbal.pdf", views.minutes_download, name="minutes"),
    path("ordre-du-jour/<int:pk>/", views.item_detail, name="item"),
    path("ordre-du-jour/<int:pk>/decision/", views.decision_record, name="decision_record"),
    path("ordre-du-jour/<int:pk>/report/", views.item_postpone, name="item_postpone"),
    path("ordre-du-jour/<int:pk>/conflit/", views.conflict_declare, name="conflict_declare"),
    path("decisions/<int:pk>/annulation/", views.decision_revoke, name="decision_revoke"),
    path("certificats/<int:pk>/telecharger/", views.certificate_download, name="certificate_download"),
    path("verifier/", views.verify, name="verify"),
    path("verifier/<str:code>/", views.verify_code, name="verify_code"),
]
