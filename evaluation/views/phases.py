"""phases pages of the evaluation."""

urlpatterns = []
