from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.services import safe_next_path

from .models import Notification
from .services import notification_mark_read


@login_required
def notification_list(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page})


@login_required
@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    link = safe_next_path(notification.link)
    if link:
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = notification_mark_read(user=request.user)
    messages.success(request, _("%(count)s notification(s) marquée(s) comme lue(s).") % {"count": count})
    return redirect("notifications:list")
