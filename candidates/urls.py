from .views import admissibility, candidate, documents, employer, public

app_name = "candidates"
urlpatterns = [
    *public.urlpatterns,
    *candidate.urlpatterns,
    *documents.urlpatterns,
    *employer.urlpatterns,
    *admissibility.urlpatterns,
]
