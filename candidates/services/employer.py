"""The employer's side of the candidacy: invitations, confirmation of hours, shared dossiers.

Selectors here mirror the object permissions of candidates.rules (is_invitation_of_employer_company,
is_period_at_employer_company) so that a list never shows what its page refuses; the shared dossiers are
those the candidate shares with the company, once submitted (a number).
"""

import logging
import re
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from catalogue.models import Company
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.models import Notification
from cqpt_portal.notifications.services import notification_create, render_notification

from ..enums import (
    EDITABLE_STATES,
    FINAL_STATES,
    QUEUE_STATES,
    AccessRoute,
    ContractType,
    DossierState,
    EmployerConfirmation,
    Initiative,
    InvitationState,
)
from ..models import Dossier, EmployerInvitation, ExperiencePeriod

logger = logging.getLogger(__name__)

INVITATION_VALIDITY = timedelta(days=14)
INITIAL_SEND_KEY = "initial"


# --- selectors -----------------------------------------------------------------------------


def employer_invitations(*, company: Company) -> QuerySet[EmployerInvitation]:
    """The invitations sent on behalf of a company, newest first, with `email_state`: their last e-mail's state."""
    last_email = Notification.objects.filter(
        reference=Concat(Value("invitation:"), Cast(OuterRef("pk"), CharField()))
    ).order_by("-created_at", "-id")
    return (
        EmployerInvitation.objects.filter(company=company)
        .annotate(email_state=Subquery(last_email.values("state")[:1]))
        .select_related("cqpt", "invited_by")
        .order_by("-created_at", "-pk")
    )


def _periods_at(company: Company) -> QuerySet[ExperiencePeriod]:
    """Periods declared at this company's SIRET in open dossiers (drafts included).

    Drafts are included because a confirmation by the employer stands in for the attestation
    that the candidate needs before submitting (see services.dossier.submission_problems).
    The SIRET alone selects them: the period's `company` is only the catalogue company found by
    that SIRET when the period was saved (services.candidate.period_save), so it adds nothing and
    an OR on it would keep PostgreSQL from reading the periods in index order.
    """
    return (
        ExperiencePeriod.objects.filter(siret=company.siret)
        .exclude(dossier__state__in=FINAL_STATES)
        .select_related("dossier", "dossier__cqpt", "employer_reviewed_by")
    )


def employer_periods_to_confirm(*, company: Company) -> QuerySet[ExperiencePeriod]:
    """The periods awaiting the employer's answer, newest dossiers first (index period_pending_siret_idx)."""
    return (
        _periods_at(company)
        .filter(employer_status=EmployerConfirmation.DECLARED)
        .order_by("-dossier_id", "start_date", "pk")
    )


def employer_periods_answered(*, company: Company) -> QuerySet[ExperiencePeriod]:
    """The periods the employer has confirmed or disputed, latest answer first (index period_answered_siret_idx)."""
    return (
        _periods_at(company)
        .exclude(employer_status=EmployerConfirmation.DECLARED)
        .order_by("-employer_reviewed_at", "-pk")
    )


def employer_shared_dossiers(*, company: Company) -> QuerySet[Dossier]:
    """Dossiers of this company's employees who chose to share their progress: status only, no personal data."""
    return (
        Dossier.objects.filter(share_with_employer=True, company=company, number__isnull=False)
        .select_related("cqpt")
        .only("pk", "number", "first_name", "last_name", "state", "state_changed_at", "cqpt__title")
        .order_by("-state_changed_at", "-pk")
    )


def invitation_path(invitation: EmployerInvitation) -> str:
    return reverse("candidates:invitation", args=[invitation.token])


def active_dossier_of(user) -> Dossier | None:
    """The candidate's dossier that is not closed yet, if any."""
    return Dossier.objects.filter(candidate=user).exclude(state__in=FINAL_STATES).first()


# --- invitations ---------------------------------------------------------------------------


def _registered_candidate(email: str):
    return User.objects.filter(email__iexact=email, role=Role.CANDIDATE, is_active=True).first()


def invitation_email_context(invitation: EmployerInvitation, *, language: str) -> dict:
    """What the invitation e-mail says, with labels in the recipient's language."""
    with translation.override(language):
        return {
            "first_name": invitation.first_name,
            "company": invitation.company.name,
            "sender": invitation.invited_by.get_full_name() or invitation.invited_by.email,
            "cqpt": invitation.cqpt.title,
            "access_route": str(AccessRoute(invitation.access_route).label),
            "contract_type": str(ContractType(invitation.contract_type).label),
            "message": invitation.message,
            "expires_at": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT"),
        }


def _notify_invitee(invitation: EmployerInvitation, *, send_key: str) -> None:
    """The e-mail goes through the outbox: to a registered candidate's account, else to the address alone.

    Its reference lets the employer's list show whether it left (employer_invitations). The outbox row
    makes each send once-only, so `send_key` no longer matters (kept while callers pass it).
    """
    recipient = _registered_candidate(invitation.email)
    # Someone without an account has no language preference yet: the portal's (French).
    language = recipient.language if recipient is not None else settings.LANGUAGE_CODE
    notification_create(
        recipient=recipient,
        email="" if recipient is not None else invitation.email,
        kind="invitation_received",
        context=invitation_email_context(invitation, language=language or settings.LANGUAGE_CODE),
        link=invitation_path(invitation),
        reference=invitation_reference(invitation.pk),
    )


def invitation_reference(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


@transaction.atomic
def invitation_create(
    *,
    invited_by,
    email: str,
    first_name: str,
    last_name: str,
    cqpt,
    access_route: str,
    contract_type: str,
    contract_start=None,
    contract_end=None,
    message: str = "",
) -> EmployerInvitation:
    """Propose the CQPT to an employee of the sender's company; refused while one to that address awaits an answer.

    Side effects: pending invitations to that address past their date marked expired (audit row each),
    one invitation row, its audit row, and after commit the e-mail with the link
    (a notification through the outbox, to the candidate's account or to the address alone).
    """
    company = invited_by.company
    email = email.strip().lower()
    message = (message or "").strip()
    problem = invitation_message_problem(message)
    if problem:
        raise ActionRefused(fields={"message": [problem]})
    _refuse_beyond_daily_quota(company=company)
    _expire_stale_invitations(company=company, email=email)
    if _pending_invitations(company=company, email=email).exists():
        raise ActionRefused(_duplicate_invitation_message())
    try:
        # A savepoint: a concurrent proposal to the same address hits the database constraint.
        with transaction.atomic():
            invitation = _invitation_insert(
                company=company,
                invited_by=invited_by,
                email=email,
                first_name=first_name,
                last_name=last_name,
                cqpt=cqpt,
                access_route=access_route,
                contract_type=contract_type,
                contract_start=contract_start,
                contract_end=contract_end,
                message=message,
            )
    except IntegrityError:
        if _pending_invitations(company=company, email=email).exists():
            raise ActionRefused(_duplicate_invitation_message()) from None
        raise
    audit_record(
        actor=invited_by,
        target=invitation,
        action="invitation_sent",
        to_state=InvitationState.PENDING,
        extra={"email": invitation.email, "cqpt": cqpt.code},
    )
    _notify_invitee(invitation, send_key=INITIAL_SEND_KEY)
    return invitation


INVITATION_MESSAGE_MAX_LENGTH = 500
_MARKUP_OR_LINK = re.compile(r"<[^>]*>|&[#\w]+;|\b(?:https?|ftp|mailto|javascript|data):|\bwww\.", re.I)


def invitation_message_problem(message: str) -> str:
    """Why the employer's free text cannot go into the invitation e-mail, or "".

    The e-mail goes to any address the employer types: the text is plain, short, with no markup and no link,
    so that the portal's name cannot carry someone else's phishing.
    """
    if len(message) > INVITATION_MESSAGE_MAX_LENGTH:
        return _("Le message dépasse %(max)s caractères (%(length)s) : raccourcissez-le.") % {
            "max": INVITATION_MESSAGE_MAX_LENGTH,
            "length": len(message),
        }
    if _MARKUP_OR_LINK.search(message):
        return _(
            "Le message ne peut contenir ni balise HTML ni lien : le lien de la proposition est ajouté par le portail."
        )
    if message.count("\n") > 10:
        return _("Le message compte trop de lignes (10 au plus).")
    return ""


def _refuse_beyond_daily_quota(*, company: Company) -> None:
    """At most EMPLOYER_INVITATIONS_PER_DAY proposals per company in 24 hours (counted under the company's lock)."""
    Company.objects.select_for_update().filter(pk=company.pk).first()
    since = timezone.now() - timedelta(days=1)
    sent = EmployerInvitation.objects.filter(company=company, created_at__gte=since).count()
    if sent >= settings.EMPLOYER_INVITATIONS_PER_DAY:
        raise ActionRefused(
            _(
                "Votre entreprise a déjà envoyé %(count)s propositions en 24 heures, le maximum : "
                "réessayez demain, ou écrivez à AUVICOM si vous devez en envoyer davantage."
            )
            % {"count": sent}
        )


def _duplicate_invitation_message() -> str:
    return _("Une proposition est déjà en attente de réponse pour cette adresse : annulez-la ou attendez la réponse.")


def _pending_invitations(*, company: Company, email: str) -> QuerySet[EmployerInvitation]:
    return EmployerInvitation.objects.filter(company=company, email__iexact=email, state=InvitationState.PENDING)


def _expire_stale_invitations(*, company: Company, email: str) -> None:
    """Close the pending invitations to this address whose date has passed, so a new one may be sent."""
    stale = _pending_invitations(company=company, email=email).filter(expires_at__lte=timezone.now())
    for invitation in stale.select_for_update(of=("self",)):
        invitation.state = InvitationState.EXPIRED
        invitation.save(update_fields=["state"])
        audit_record(
            actor=None,
            target=invitation,
            action="invitation_expired",
            from_state=InvitationState.PENDING,
            to_state=InvitationState.EXPIRED,
        )


def _invitation_insert(*, company: Company, email: str, **fields) -> EmployerInvitation:
    return EmployerInvitation.objects.create(
        company=company,
        email=email,
        token=secrets.token_urlsafe(32),
        expires_at=timezone.now() + INVITATION_VALIDITY,
        **fields,
    )


def _lock_invitation(invitation_id: int) -> EmployerInvitation:
    return (
        EmployerInvitation.objects.select_for_update(of=("self",))
        .select_related("company", "cqpt", "invited_by")
        .get(pk=invitation_id)
    )


def _closed_invitation_problem(invitation: EmployerInvitation) -> str | None:
    if invitation.state == InvitationState.ACCEPTED:
        return _("Cette proposition a déjà été acceptée.")
    if invitation.state == InvitationState.DECLINED:
        return _("Cette proposition a déjà été déclinée.")
    if invitation.state == InvitationState.REVOKED:
        return _("Cette proposition a été annulée par l'employeur.")
    if invitation.state == InvitationState.EXPIRED or invitation.is_expired:
        return _(
            "Cette proposition a expiré le %(date)s. Demandez à votre employeur de vous en envoyer une nouvelle."
        ) % {"date": formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")}
    return None


def mask_email(email: str) -> str:
    """j•••@example.org: enough for the invitee to recognise the address, not to harvest it."""
    local, _sep, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def invitation_problems(invitation: EmployerInvitation, *, user=None, accepting: bool = False) -> list[str]:
    """Why the invitation cannot be answered (accepted, with `accepting`) now by this user; empty: it can."""
    closed = _closed_invitation_problem(invitation)
    if closed:
        return [closed]
    if not accepting:
        return []
    if user is None or not user.is_authenticated:
        return [_("Connectez-vous avec votre compte candidat pour accepter cette proposition.")]
    if user.role != Role.CANDIDATE:
        return [
            _("Seul un compte candidat peut accepter cette proposition : connectez-vous avec votre compte candidat.")
        ]
    if user.email.lower() != invitation.email.lower():
        return [
            _(
                "Cette proposition a été envoyée à l'adresse %(email)s, qui n'est pas celle de votre compte. "
                "Connectez-vous avec le compte de cette adresse (ou créez-le) pour l'accepter."
            )
            % {"email": mask_email(invitation.email)}
        ]
    dossier = active_dossier_of(user)
    if dossier is not None:
        return [
            _(
                "Vous avez déjà une candidature en cours (%(dossier)s). Vous ne pouvez en mener qu'une à la fois : "
                "terminez-la ou retirez-la avant d'accepter cette proposition."
            )
            % {"dossier": dossier.number or _("brouillon")}
        ]
    return []


@transaction.atomic
def invitation_accept(*, invitation_id: int, user) -> Dossier:
    """The invited candidate accepts: a draft dossier, theirs, prefilled from the proposal.

    Side effects: one dossier (not shared with the employer), the invitation marked accepted,
    audit rows on both, a notification to the employer who sent it.
    """
    invitation = _lock_invitation(invitation_id)
    problems = invitation_problems(invitation, user=user, accepting=True)
    if problems:
        raise ActionRefused(*problems)
    dossier = Dossier.objects.create(
        candidate=user,
        state=DossierState.DRAFT,
        first_name=invitation.first_name or user.first_name,
        last_name=invitation.last_name or user.last_name,
        company=invitation.company,
        contract_type=invitation.contract_type,
        contract_start=invitation.contract_start,
        contract_end=invitation.contract_end,
        # The employer proposes this CQPT within that contract; the candidate can still correct it.
        contract_targets_cqpt=invitation.access_route in (AccessRoute.CONTRAT_PRO, AccessRoute.PERIODE_PRO),
        access_route=invitation.access_route,
        cqpt=invitation.cqpt,
        initiative=Initiative.EMPLOYER,
        share_with_employer=False,
    )
    invitation.state = InvitationState.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.accepted_by = user
    invitation.dossier = dossier
    invitation.save(update_fields=["state", "responded_at", "accepted_by", "dossier"])
    audit_record(
        actor=user,
        target=invitation,
        action="invitation_accepted",
        from_state=InvitationState.PENDING,
        to_state=InvitationState.ACCEPTED,
        extra={"dossier": dossier.pk},
    )
    audit_record(
        actor=user,
        target=dossier,
        action="dossier_created",
        to_state=DossierState.DRAFT,
        comment=_("Candidature proposée par l'employeur %(company)s.") % {"company": invitation.company.name},
        extra={"invitation": invitation.pk},
    )
    _notify_sender(invitation, kind="invitation_accepted")
    return dossier


@transaction.atomic
def invitation_decline(*, invitation_id: int, actor=None) -> EmployerInvitation:
    """The invitee declines (the link is enough: no account is needed to say no).

    Side effects: the invitation marked declined, its audit row, a notification to the employer.
    """
    invitation = _lock_invitation(invitation_id)
    problems = invitation_problems(invitation)
    if problems:
        raise ActionRefused(*problems)
    invitation.state = InvitationState.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["state", "responded_at"])
    audit_record(
        actor=actor,
        target=invitation,
        action="invitation_declined",
        from_state=InvitationState.PENDING,
        to_state=InvitationState.DECLINED,
    )
    _notify_sender(invitation, kind="invitation_declined")
    return invitation


def _notify_sender(invitation: EmployerInvitation, *, kind: str) -> None:
    sender = invitation.invited_by
    if not sender.is_active:
        return
    with translation.override(sender.language or settings.LANGUAGE_CODE):
        context = {
            "employee": f"{invitation.first_name} {invitation.last_name}".strip() or invitation.email,
            "cqpt": invitation.cqpt.title,
        }
    notification_create(recipient=sender, kind=kind, context=context, link=reverse("candidates:employer_dashboard"))


@transaction.atomic
def invitation_revoke(*, invitation_id: int, actor) -> EmployerInvitation:
    """The employer withdraws a pending proposal. Side effects: the invitation marked revoked, its audit row."""
    invitation = _lock_invitation(invitation_id)
    if invitation.state != InvitationState.PENDING:
        raise ActionRefused(_("Cette proposition n'est plus en attente : elle ne peut plus être annulée."))
    invitation.state = InvitationState.REVOKED
    invitation.save(update_fields=["state"])
    audit_record(
        actor=actor,
        target=invitation,
        action="invitation_revoked",
        from_state=InvitationState.PENDING,
        to_state=InvitationState.REVOKED,
    )
    return invitation


@transaction.atomic
def invitation_resend(*, invitation_id: int, actor) -> EmployerInvitation:
    """Send the link again (lost e-mail, broker outage). Side effects: an audit row and the e-mail after commit."""
    invitation = _lock_invitation(invitation_id)
    problems = invitation_problems(invitation)
    if problems:
        raise ActionRefused(*problems)
    audit_record(actor=actor, target=invitation, action="invitation_resent")
    _notify_invitee(invitation, send_key=uuid.uuid4().hex)
    return invitation


def invitation_email_send(*, invitation_id: int, send_key: str = INITIAL_SEND_KEY) -> str:
    """E-mail the link to an invitee who has no account; return "sent" or "skipped".

    Idempotent per `send_key`: the audit row written after a successful send is the marker,
    so a retried or duplicated task does not send twice. Mail errors propagate (the task retries).
    """
    invitation = (
        EmployerInvitation.objects.select_related("company", "cqpt", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.state != InvitationState.PENDING or invitation.is_expired:
        return "skipped"
    already = (
        AuditEvent.objects.for_object(invitation)
        .filter(action="invitation_email_sent", extra__send_key=send_key)
        .exists()
    )
    if already:
        return "skipped"
    # The invitee has no account yet, hence no language preference: the portal's language (French).
    language = settings.LANGUAGE_CODE
    subject, body = render_notification(
        kind="invitation_received",
        context=invitation_email_context(invitation, language=language),
        language=language,
        link=invitation_path(invitation),
    )
    EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"X-CQPT-Invitation": str(invitation.pk)},
    ).send(fail_silently=False)
    audit_record(
        actor=None,
        target=invitation,
        action="invitation_email_sent",
        extra={"send_key": send_key, "to": invitation.email},
    )
    return "sent"


# --- confirmation of hours -----------------------------------------------------------------


def period_is_at_company(period: ExperiencePeriod, company: Company) -> bool:
    return period.company_id == company.pk or period.siret == company.siret


def period_answer_closed(dossier: Dossier) -> str:
    """Why the employer may no longer confirm or dispute hours of this dossier, or "".

    Once AUVICOM has decided admissibility the answer is refused rather than reopening the question: the decision
    was taken on the record as it stood, a late dispute would silently undo it, and a correction of a decision
    goes through AUVICOM, whom the message names.
    """
    if dossier.state in FINAL_STATES:
        return _("Ce dossier est clos : les heures ne peuvent plus être confirmées ni contestées.")
    if dossier.state not in EDITABLE_STATES | QUEUE_STATES:
        return _(
            "AUVICOM a déjà statué sur la recevabilité de ce dossier : les heures ne peuvent plus être confirmées "
            "ni contestées ici. Si elles sont inexactes, écrivez à AUVICOM."
        )
    return ""


@transaction.atomic
def period_confirm(*, period_id: int, actor, decision: str, comment: str = "") -> ExperiencePeriod:
    """The employer confirms or disputes hours declared at their company.

    Side effects: the period's employer_* fields, an audit row on the dossier, a notification to the candidate.
    """
    period = (
        ExperiencePeriod.objects.select_for_update(of=("self",))
        .select_related("dossier", "dossier__candidate")
        .get(pk=period_id)
    )
    comment = (comment or "").strip()
    if actor.company_id is None or not period_is_at_company(period, actor.company):
        raise ActionRefused(_("Cette période n'a pas été déclarée dans votre entreprise."))
    closed = period_answer_closed(period.dossier)
    if closed:
        raise ActionRefused(closed)
    if decision not in (EmployerConfirmation.CONFIRMED, EmployerConfirmation.DISPUTED):
        raise ActionRefused(_("Choisissez de confirmer ou de contester ces heures."))
    if decision == EmployerConfirmation.DISPUTED and not comment:
        raise ActionRefused(_("Expliquez pourquoi vous contestez ces heures."))
    previous = period.employer_status
    period.employer_status = decision
    period.employer_comment = comment
    period.employer_reviewed_by = actor
    period.employer_reviewed_at = timezone.now()
    period.save(update_fields=["employer_status", "employer_comment", "employer_reviewed_by", "employer_reviewed_at"])
    dossier = period.dossier
    audit_record(
        actor=actor,
        target=dossier,
        action=f"period_{decision}",
        comment=comment,
        extra={"period": period.pk, "from": previous, "to": decision, "siret": period.siret, "hours": period.hours},
    )
    candidate = dossier.candidate
    with translation.override(candidate.language or settings.LANGUAGE_CODE):
        context = {
            "employer": period.employer_name,
            "start": formats.date_format(period.start_date, "SHORT_DATE_FORMAT"),
            "end": formats.date_format(period.end_date, "SHORT_DATE_FORMAT"),
            "hours": period.hours,
            "comment": comment,
        }
    notification_create(
        recipient=candidate,
        kind=f"period_{decision}",
        context=context,
        link=reverse("candidates:dossier_detail", args=[dossier.pk]),
    )
    return period
