"""Services of the candidate's side: starting a dossier, saving its steps, periods and documents.

Every write locks the dossier row and checks that its owner is the actor and
that the dossier is still editable (draft or incomplete), so a dossier that
AUVICOM has started to review cannot change under its feet. The state itself
only changes in candidates.workflow.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from catalogue.models import Company
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.storage import file_save_or_refuse
from cqpt_portal.files.validation import (
    JPEG,
    PNG,
    reencoded_image,
    safe_display_name,
    space_problem,
    validate_document_upload,
)

from ..enums import EDITABLE_STATES, FINAL_STATES, DossierState, EmployerConfirmation
from ..models import Dossier, DossierDocument, ExperiencePeriod

# The only fields each step may write (the forms list the same ones).
STEP_FIELDS = {
    "identity": ("last_name", "first_name", "birth_date", "phone", "address", "postal_code", "city"),
    "employment": ("job_title", "contract_type", "contract_start", "contract_end", "contract_targets_cqpt"),
    "candidacy": ("access_route", "cqpt", "initiative", "share_with_employer"),
    "funding": ("funding_scheme", "working_time"),
}
PERIOD_FIELDS = (
    "employer_name",
    "siret",
    "idcc",
    "start_date",
    "end_date",
    "hours",
    "related_to_cqpt",
    "description",
)
# Changing one of these makes an employer's confirmation of the period void.
_CONFIRMED_FIELDS = ("siret", "start_date", "end_date", "hours", "related_to_cqpt")


def open_dossier_of(candidate: User) -> Dossier | None:
    """The candidate's dossier that is not in a final state, if any (there is at most one)."""
    return Dossier.objects.filter(candidate=candidate).exclude(state__in=FINAL_STATES).first()


def _lock_editable(*, dossier_id: int, actor: User) -> Dossier:
    dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
    if dossier.candidate_id != actor.pk:
        raise ActionRefused(_("Seul le candidat peut modifier son dossier."))
    if dossier.state not in EDITABLE_STATES:
        raise ActionRefused(
            _("Ce dossier n'est plus modifiable : il est « %(state)s ».") % {"state": dossier.get_state_display()}
        )
    return dossier


def dossier_start(*, candidate: User) -> Dossier:
    """Create a draft prefilled with the candidate's names. Side effects: one dossier, one audit row.

    Refused to anyone but a candidate (a superuser included), and while the candidate has a dossier
    that is not in a final state.
    """
    if candidate.role != Role.CANDIDATE:
        raise ActionRefused(_("Seul un candidat peut commencer un dossier de candidature."))
    with transaction.atomic():
        # Lock the user row so two clicks cannot create two open dossiers.
        User.objects.select_for_update().filter(pk=candidate.pk).first()
        if open_dossier_of(candidate) is not None:
            raise ActionRefused(
                _("Vous avez déjà une candidature en cours : terminez-la ou retirez-la avant d'en commencer une autre.")
            )
        dossier = Dossier.objects.create(
            candidate=candidate,
            state=DossierState.DRAFT,
            last_name=candidate.last_name,
            first_name=candidate.first_name,
        )
        audit_record(actor=candidate, target=dossier, action="create", to_state=dossier.state)
    return dossier


def dossier_update_step(*, dossier_id: int, actor: User, step: str, values: dict) -> Dossier:
    """Save one step's fields (and only them). Side effects: one UPDATE of the dossier, an audit row if any changed."""
    fields = STEP_FIELDS[step]
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        changed = [name for name in fields if name in values and getattr(dossier, name) != values[name]]
        for name in fields:
            if name in values:
                setattr(dossier, name, values[name])
        dossier.save(update_fields=[*fields, "updated_at"])
        _audit_fields_changed(dossier, actor=actor, step=step, changed=changed)
    return dossier


def _audit_fields_changed(dossier: Dossier, *, actor: User, step: str, changed: list[str]) -> None:
    """One audit row naming the fields a save changed (their names, not their personal values)."""
    if changed:
        audit_record(
            actor=actor, target=dossier, action="dossier_fields_changed", extra={"step": step, "fields": changed}
        )


def company_for_siret(*, siret: str, name: str, idcc: str, actor: User) -> Company:
    """The catalogue company with this SIRET, created from the name and IDCC given if unknown.

    Side effects: at most one Company and one audit row (so AUVICOM sees who declared it).
    """
    company = Company.objects.filter(siret=siret).first()
    if company is not None:
        return company
    company, created = Company.objects.get_or_create(siret=siret, defaults={"name": name.strip(), "idcc": idcc})
    if created:
        audit_record(actor=actor, target=company, action="company_declared", extra={"name": company.name, "idcc": idcc})
    return company


def dossier_update_employment(
    *, dossier_id: int, actor: User, siret: str, company_name: str = "", company_idcc: str = "", values: dict
) -> Dossier:
    """Save the employer (found or created by SIRET) and the contract. Side effects: see company_for_siret."""
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        previous_company = dossier.company_id
        dossier.company = (
            company_for_siret(siret=siret, name=company_name, idcc=company_idcc, actor=actor) if siret else None
        )
        changed = ["company"] if dossier.company_id != previous_company else []
        changed += [n for n in STEP_FIELDS["employment"] if n in values and getattr(dossier, n) != values[n]]
        for name in STEP_FIELDS["employment"]:
            if name in values:
                setattr(dossier, name, values[name])
        dossier.save(update_fields=["company", *STEP_FIELDS["employment"], "updated_at"])
        _audit_fields_changed(dossier, actor=actor, step="employment", changed=changed)
    return dossier


def company_search(*, query: str, limit: int = 10) -> list[Company]:
    """Catalogue companies whose name contains the query, or whose SIRET starts with its digits."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    digits = "".join(query.split())
    condition = Q(name__icontains=query)
    if digits.isdigit():
        condition |= Q(siret__startswith=digits)
    return list(Company.objects.filter(condition).order_by("name")[:limit])


def periods_left(count: int) -> int:
    """How many more experience periods this dossier may hold, given how many it holds."""
    return max(settings.DOSSIER_MAX_PERIODS - count, 0)


def period_limit_message(count: int) -> str:
    """Why no period can be added to a dossier that holds `count` of them."""
    return _(
        "Votre dossier compte déjà %(count)s périodes d'expérience, le maximum : modifiez une période existante, "
        "regroupez des contrats successifs chez le même employeur, ou supprimez une période qui ne compte pas "
        "pour les 1607 heures avant d'en ajouter une autre."
    ) % {"count": count}


def period_save(*, dossier_id: int, actor: User, values: dict, period_id: int | None = None) -> ExperiencePeriod:
    """Add or change one experience period. Side effect: one INSERT or UPDATE.

    The period is linked to the catalogue company with the same SIRET; a change
    of dates, hours or employer voids an employer's confirmation. Adding one is
    refused (ActionRefused, on the whole form) once the dossier holds DOSSIER_MAX_PERIODS,
    counted under the dossier's lock so that two tabs cannot both add the last one.
    """
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        if period_id is None:
            count = ExperiencePeriod.objects.filter(dossier=dossier).count()
            if not periods_left(count):
                raise ActionRefused(period_limit_message(count))
            period = ExperiencePeriod(dossier=dossier)
        else:
            period = ExperiencePeriod.objects.get(pk=period_id, dossier=dossier)
        changed = any(getattr(period, name) != values.get(name) for name in _CONFIRMED_FIELDS if name in values)
        for name in PERIOD_FIELDS:
            if name in values:
                setattr(period, name, values[name])
        period.company = Company.objects.filter(siret=period.siret).first()
        if changed and period.employer_status != EmployerConfirmation.DECLARED:
            period.employer_status = EmployerConfirmation.DECLARED
            period.employer_comment = ""
            period.employer_reviewed_by = None
            period.employer_reviewed_at = None
        period.full_clean()
        period.save()
        dossier.save(update_fields=["updated_at"])
    return period


def period_delete(*, dossier_id: int, actor: User, period_id: int) -> None:
    """Delete one experience period of an editable dossier. Side effect: one DELETE."""
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        ExperiencePeriod.objects.filter(pk=period_id, dossier=dossier).delete()
        dossier.save(update_fields=["updated_at"])


def _dossier_space_problem(dossier: Dossier, size: int) -> str:
    """Why one more document of `size` bytes does not fit in this dossier, or ""."""
    return space_problem(
        dossier.documents.all(),
        size,
        max_count=settings.DOSSIER_MAX_DOCUMENTS,
        max_bytes=settings.DOSSIER_MAX_TOTAL_BYTES,
        too_many=_(
            "Votre dossier compte déjà %(count)s documents, le maximum : supprimez-en un (un doublon, une ancienne "
            "version) avant d'en ajouter un autre."
        ),
        too_big=_(
            "Ce fichier (%(size)s) dépasse la place restante de votre dossier (%(left)s sur %(max)s) : "
            "supprimez un document ou déposez une version plus légère."
        ),
    )


def document_add(*, dossier_id: int, actor: User, kind: str, uploaded) -> DossierDocument:
    """Check an upload by its content and size, then store it (an image: a re-encoded copy) under a random name.

    Side effects: one file written, one INSERT, one audit row. Raises ActionRefused (on the "file" field) when
    the content is not an acceptable PDF, JPEG or PNG (checked before taking any lock), or when the dossier
    already holds DOSSIER_MAX_DOCUMENTS documents or DOSSIER_MAX_TOTAL_BYTES in all.
    The content gives the stored extension and type; the client's name is only a label.
    """
    try:
        detected = validate_document_upload(uploaded)
    except ValidationError as error:
        raise ActionRefused(fields={"file": [" ".join(error.messages)]}) from None
    content = reencoded_image(uploaded, detected) if detected in (JPEG, PNG) else uploaded
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        problem = _dossier_space_problem(dossier, content.size)
        if problem:
            raise ActionRefused(fields={"file": [problem]})
        document = DossierDocument(
            dossier=dossier,
            kind=kind,
            original_name=safe_display_name(uploaded.name),
            content_type=detected.mime,
            size=content.size,
            uploaded_by=actor,
        )
        document.detected_extension = detected.extension
        file_save_or_refuse(document.file, content)  # a full disk is an ActionRefused, nothing written
        stored = document.file
        try:
            document.save()
            audit_record(
                actor=actor,
                target=dossier,
                action="document_uploaded",
                extra={"document": document.pk, "kind": kind, "size": document.size, "type": detected.mime},
            )
        except Exception:
            stored.storage.delete(stored.name)
            raise
        dossier.save(update_fields=["updated_at"])
    return document


def document_delete(*, dossier_id: int, actor: User, document_id: int) -> None:
    """Delete one document of an editable dossier. Side effects: one DELETE; the file is removed after commit.

    Raises DossierDocument.DoesNotExist when the document is not one of this dossier's.
    """
    with transaction.atomic():
        dossier = _lock_editable(dossier_id=dossier_id, actor=actor)
        document = DossierDocument.objects.get(pk=document_id, dossier=dossier)
        storage, name = document.file.storage, document.file.name
        audit_record(
            actor=actor,
            target=dossier,
            action="document_deleted",
            extra={"document": document.pk, "kind": document.kind, "size": document.size},
        )
        document.delete()
        dossier.save(update_fields=["updated_at"])
        transaction.on_commit(lambda: storage.delete(name))
