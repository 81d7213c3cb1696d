from .views import candidate, employer, public, review

app_name = "candidates"
urlpatterns = [*public.urlpatterns, *candidate.urlpatterns, *employer.urlpatterns, *review.urlpatterns]
