from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import render

from cqpt_portal.accounts.decorators import permission_required

from .selectors import audit_trail_page


@permission_required("audit.view_audit_trail")
def object_trail(request, app_label, model, object_id):
    """Staff's view of one object's trail (each object's page also embeds it)."""
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
        obj = content_type.get_object_for_this_type(pk=object_id)
    except (ContentType.DoesNotExist, ValueError, Exception):  # noqa: BLE001 - any bad id is a 404
        raise Http404 from None
    page = audit_trail_page(obj, request.GET.get("page"))
    return render(
        request, "audit/object_trail.html", {"object": obj, "audit_events": page.object_list, "audit_page": page}
    )
