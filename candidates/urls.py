from .views import candidate, documents, employer, public, review

app_name = "candidates"
urlpatterns = [
    *public.urlpatterns,
    *candidate.urlpatterns,
    *documents.urlpatterns,
    *employer.urlpatterns,
    *review.urlpatterns,
]
