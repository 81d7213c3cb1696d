from django.urls import path

from . import views

app_name = "quiz"
urlpatterns = [
    path("mes-quiz/", views.my_attempts, name="my_attempts"),
    path("dossier/<int:pk>/", views.dossier_quizzes, name="dossier"),
    path("<int:pk>/", views.attempt_detail, name="attempt"),
    path("<int:pk>/commencer/", views.attempt_start, name="start"),
    path("<int:pk>/question/<int:position>/", views.question, name="question"),
    path("<int:pk>/question/<int:position>/enregistrer/", views.answer_save, name="save"),
    path("<int:pk>/terminer/", views.attempt_finish, name="finish"),
    path("<int:pk>/incident/", views.incident_report, name="incident"),
    path("<int:pk>/temps-supplementaire/", views.attempt_extra_time, name="extra_time"),
    path("<int:pk>/neutraliser/", views.attempt_neutralise, name="neutralise"),
    path("<int:pk>/nouvelle-tentative/", views.attempt_new, name="new_attempt"),
]
