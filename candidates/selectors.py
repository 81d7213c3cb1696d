"""Read-side queries of the candidacy, mirroring candidates.rules for lists.

The review queue is filtered by candidates.filters.AdmissibilityQueueFilter on top of
`admissibility_queue_base`; every query here has a bounded number of SQL statements
whatever the number of dossiers.
"""

from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent

from .enums import DossierState
from .models import (
    AdmissibilityDecision,
    AdmissibilityExport,
    Dossier,
    DossierDocument,
    DossierSubmission,
    ExperiencePeriod,
)


def admissibility_queue_base() -> QuerySet[Dossier]:
    """Every dossier AUVICOM has received (submitted at least once), with what a queue row shows."""
    return (
        Dossier.objects.filter(submitted_at__isnull=False)
        .exclude(state=DossierState.DRAFT)
        .select_related("cqpt", "company", "reviewer")
    )


class DeferredJoinPaginator(Paginator):
    """A paginator that slices ids first, then loads the page's rows with their joins.

    Deep pages skip over narrow index rows instead of joined ones, and pages past
    the middle are read in the reverse order: one COUNT, one id query, one row
    query, whatever the page. A first page that holds the whole list needs no
    COUNT (the header of a short list, an employer's few periods).
    """

    def get_page(self, number):
        """The first page reads its ids before any COUNT: a list that fits in one page needs none."""
        if "count" not in self.__dict__ and str(number or "1").strip() == "1":
            fits = self.per_page + self.orphans
            ids = list(self.object_list.values_list("pk", flat=True)[: fits + 1])
            if len(ids) <= fits:
                self.__dict__["count"] = len(ids)  # Paginator.count is a cached_property
                return self._page_of(ids, 1)
            self.count  # noqa: B018 - the COUNT, for the page's "n of N" (the list is longer than one page)
            return self._page_of(ids[: self.per_page], 1)
        return super().get_page(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self.object_list.values_list("pk", flat=True)
        if bottom > self.count // 2:
            # The second half is read from the other end: the last page costs what the first does.
            ids = list(reversed(keys.reverse()[self.count - top : self.count - bottom]))
        else:
            ids = list(keys[bottom:top])
        return self._page_of(ids, number)

    def _page_of(self, ids, number):
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)} if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def admissibility_reviewers() -> QuerySet[User]:
    """Active AUVICOM reviewers, for the reviewer filter."""
    return User.objects.filter(role=Role.AUVICOM_REVIEWER, is_active=True).order_by("last_name", "first_name", "pk")


def queue_age_days(submitted_at: datetime | None, *, today: date) -> int | None:
    """Whole days since the dossier was (last) submitted, in the portal's time zone."""
    if submitted_at is None:
        return None
    return (today - timezone.localtime(submitted_at).date()).days


def dossiers_for_admissibility() -> QuerySet[Dossier]:
    """Dossiers with everything the review page shows, in a fixed number of queries."""
    return Dossier.objects.select_related(
        "cqpt", "company", "reviewer", "candidate", "funding_scheme"
    ).prefetch_related(
        Prefetch("periods", queryset=ExperiencePeriod.objects.select_related("company", "employer_reviewed_by")),
        "documents",
        Prefetch(
            "decisions",
            queryset=AdmissibilityDecision.objects.select_related("decided_by", "revoked_by", "submission"),
        ),
    )


def dossier_for_admissibility(*, pk: int) -> Dossier:
    return dossiers_for_admissibility().get(pk=pk)


def dossiers_for_candidate_pages() -> QuerySet[Dossier]:
    """Dossiers with everything the candidate's step pages read (periods and documents prefetched)."""
    return Dossier.objects.select_related("candidate", "company", "cqpt", "funding_scheme").prefetch_related(
        Prefetch("periods", queryset=ExperiencePeriod.objects.select_related("company")),
        "documents",
    )


def documents_with_dossier() -> QuerySet[DossierDocument]:
    """Documents with their dossier, which the permission check reads."""
    return DossierDocument.objects.select_related("dossier")


def current_decision(dossier: Dossier) -> AdmissibilityDecision | None:
    """AUVICOM's decision in force, for the states that follow one."""
    if dossier.state not in (DossierState.INCOMPLETE, DossierState.INADMISSIBLE, DossierState.ADMISSIBLE):
        return None
    return dossier.decisions.filter(revoked_at__isnull=True).order_by("-decided_at", "-id").first()


def state_history(dossier: Dossier) -> list[dict]:
    """The candidate's simple history: each change of state, with its date (not the staff's trail)."""
    events = AuditEvent.objects.for_object(dossier).exclude(to_state="").order_by("created_at", "id")
    labels = dict(DossierState.choices)
    return [
        {"at": e.created_at, "state": labels.get(e.to_state, e.to_state), "code": e.to_state}
        for e in events.only("created_at", "to_state")
    ]


def stopped_from(dossier: Dossier) -> str:
    """The state a withdrawn or abandoned dossier left (to show where its path stopped)."""
    if dossier.state not in (DossierState.WITHDRAWN, DossierState.EVALUATION_ABANDONED):
        return ""
    return (
        AuditEvent.objects.for_object(dossier)
        .filter(to_state=dossier.state)
        .order_by("-created_at", "-id")
        .values_list("from_state", flat=True)
        .first()
        or ""
    )


def latest_submission(dossier: Dossier) -> DossierSubmission | None:
    """The submission AUVICOM reviews: the last one (one query)."""
    return dossier.submissions.order_by("-sequence").first()


def admissibility_exports_of(user, *, limit: int = 20) -> list:
    """The user's CSV exports still kept, newest first (mirrors the rule candidates.download_admissibility_export)."""
    return list(AdmissibilityExport.objects.filter(requested_by=user).order_by("-requested_at", "-id")[:limit])
