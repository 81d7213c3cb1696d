from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def permission_required(perm: str, *, lookup=None):
    """Anonymous users go to the login page; logged-in users without `perm` get the French 403.

    With `lookup=(source, "kwarg")`, the object is fetched and checked too
    (object-level permission), and passed to the view as `obj`. `source` is a
    model, or a function returning the queryset the page reads (with its
    select_related/prefetch_related), so that the object is fetched only once.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = None
            if lookup is not None:
                source, kwarg = lookup
                queryset = source if isinstance(source, type) else source()
                obj = get_object_or_404(queryset, pk=kwargs.pop(kwarg))
                kwargs["obj"] = obj
            if not request.user.has_perm(perm, obj):
                if obj is not None:
                    # A refused attempt on a given object is worth a trace (someone probing ids, a wrong link).
                    from cqpt_portal.audit.services import audit_record

                    audit_record(
                        actor=request.user,
                        target=obj,
                        action="access_refused",
                        extra={"permission": perm, "path": request.path, "method": request.method},
                    )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
