from django.urls import path

from . import views

app_name = "personal_data"

urlpatterns = [
    path("", views.index, name="index"),
    path("archive/", views.archive_request, name="archive_request"),
    path("archive/<str:token>/", views.archive_download, name="archive_download"),
    path("effacement/", views.erase, name="erase"),
    path("demandes/", views.staff_requests, name="staff_requests"),
    path("demandes/effacement/<int:pk>/vue/", views.erasure_acknowledge, name="erasure_acknowledge"),
    path("demandes/nom/<int:pk>/", views.name_change_decide, name="name_change_decide"),
]
