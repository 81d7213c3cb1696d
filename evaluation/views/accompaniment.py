"""accompaniment pages of the evaluation."""

urlpatterns = []
