"""evidence pages of the evaluation."""

urlpatterns = []
