"""synthesis pages of the evaluation."""

urlpatterns = []
