#!/usr/bin/env python
"""Benchmark of AUVICOM's review queue on a large PostgreSQL database.

Fills the database with N dossiers (bulk_create, default 100,000), then times
the queue page through the test Client (first page, filtered, searches, last
page, name sort) and the CSV export, and prints the EXPLAIN ANALYZE of the
main queries. Figures are recorded in docs/performance.md.

    createdb -h 127.0.0.1 -U postgres cqpt_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/queue_bench.py                 # fills once, then times
    .venv/bin/python bench/queue_bench.py --refill        # empties the bench data first
    .venv/bin/python bench/queue_bench.py --export-only   # times the CSV export only (before/after)

It runs on a database that already holds dossiers (demo data, a copy of production): its
dossiers take their numbers from the yearly counters, as submissions do, so that neither they
nor the dossiers submitted later can collide, and only its own rows (e-mails @bench.cqpt.invalid,
companies "Bench …") are removed by --refill.

Never run it against a database that matters: it writes tens of thousands of rows.
"""

import argparse
import csv
import logging
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from candidates.enums import AccessRoute, ContractType, DossierState, WorkingTime  # noqa: E402
from candidates.filters import AdmissibilityQueueFilter  # noqa: E402
from candidates.models import AdmissibilityExport, Dossier, DossierNumberCounter  # noqa: E402
from candidates.selectors import admissibility_queue_base  # noqa: E402
from candidates.services.admissibility_export import export_build, export_csv_chunks  # noqa: E402
from candidates.views.admissibility import PAGE_SIZE  # noqa: E402
from catalogue.models import Company, Cqpt  # noqa: E402
from catalogue.validators import luhn_is_valid  # noqa: E402
from cqpt_portal.accounts.enums import Role  # noqa: E402
from cqpt_portal.accounts.models import User  # noqa: E402
from funding.models import FundingScheme  # noqa: E402

EMAIL_DOMAIN = "bench.cqpt.invalid"
BENCH_REVIEWER = f"bench-reviewer@{EMAIL_DOMAIN}"
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefèvre",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoît",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
]
FIRST_NAMES = [
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "Anne",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Philippe",
    "Alain",
    "Nicolas",
    "Christophe",
    "Patrick",
    "Sophie",
    "Julie",
    "Thomas",
    "Camille",
    "Léa",
    "Manon",
    "Emma",
    "Chloé",
    "Inès",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Raphaël",
    "Adam",
    "Sarah",
    "Laura",
    "Pauline",
    "Mathilde",
    "Céline",
    "Aurélie",
    "Émilie",
    "Julien",
    "Maxime",
    "Antoine",
    "Kévin",
    "Romain",
    "Sébastien",
    "Yasmine",
    "Mohamed",
    "Fatima",
    "Karim",
    "Nadia",
    "Océane",
    "Théo",
    "Enzo",
    "Clara",
    "Lina",
    "Zoé",
    "Noah",
    "Mehdi",
    "Samia",
    "Rémi",
    "Hélène",
]
CQPTS = [
    ("ccd", "Conseiller clientèle à distance"),
    ("ccpd", "Conseiller clientèle en point de distribution"),
    ("tech-reseaux", "Technicien d'intervention réseaux"),
    ("tech-fibre", "Technicien fibre optique"),
    ("vendeur", "Vendeur en boutique télécom"),
    ("superviseur", "Superviseur de centre de relation client"),
    ("tech-support", "Technicien support client"),
    ("charge-affaires", "Chargé d'affaires entreprises"),
]
# Rough shares of a mature portal: most dossiers are past the review.
STATE_WEIGHTS = [
    (DossierState.SUBMITTED, 12),
    (DossierState.UNDER_REVIEW, 4),
    (DossierState.INCOMPLETE, 6),
    (DossierState.ADMISSIBLE, 8),
    (DossierState.INADMISSIBLE, 5),
    (DossierState.EVALUATOR_ASSIGNED, 8),
    (DossierState.IN_EVALUATION, 12),
    (DossierState.EVALUATION_COMPLETE, 5),
    (DossierState.TRANSMITTED_TO_CPNE, 5),
    (DossierState.AWARDED, 20),
    (DossierState.NOT_AWARDED, 5),
    (DossierState.WITHDRAWN, 5),
    (DossierState.EVALUATION_ABANDONED, 2),
    (DossierState.DRAFT, 3),
]
ROUTE_CONTRACT = {
    AccessRoute.ACCES_LIBRE: ContractType.CDI,
    AccessRoute.CONTRAT_PRO: ContractType.CONTRAT_PRO,
    AccessRoute.PERIODE_PRO: ContractType.PERIODE_PRO,
}
BATCH = 5000


def siret_for(n: int) -> str:
    base = f"{800000000 + n:09d}{n % 100000:05d}"[:13]
    return next(base + str(d) for d in range(10) if luhn_is_valid(base + str(d)))


def clear() -> None:
    print("Removing previous bench data…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM candidates_dossier WHERE candidate_id IN (SELECT id FROM accounts_user WHERE email LIKE %s)",
            [f"%@{EMAIL_DOMAIN}"],
        )
    # The bench reviewer stays: the audit trail (append-only, PROTECT) names it as the author of its exports.
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exclude(email=BENCH_REVIEWER).delete()
    Company.objects.filter(name__startswith="Bench ").delete()


def take_numbers(dossiers: list, years: list[int]) -> None:
    """Number the batch from the yearly counters, as submissions do, and move the counters past it.

    The counter starts after the highest number already in the database for that year (the counter
    may lag behind rows imported without it), so no number is taken twice, by the bench or later.
    """
    needed: dict[int, int] = {}
    for year in years:
        needed[year] = needed.get(year, 0) + 1
    for year in sorted(needed):
        counter, _created = DossierNumberCounter.objects.select_for_update().get_or_create(year=year)
        highest = Dossier.objects.filter(number__startswith=f"CQPT-{year}-").aggregate(top=Max("number"))["top"]
        start = max(counter.last_value, int(highest.rsplit("-", 1)[1]) if highest else 0)
        counter.last_value = start + needed[year]
        counter.save(update_fields=["last_value"])
        needed[year] = start
    for dossier, year in zip(dossiers, years, strict=True):
        needed[year] += 1
        dossier.number = f"CQPT-{year}-{needed[year]:06d}"


def fill(count: int, *, seed: int = 2148) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    cqpts = [Cqpt.objects.get_or_create(code=code, defaults={"title": title})[0] for code, title in CQPTS]
    scheme, _created = FundingScheme.objects.get_or_create(
        code="plan_formation", defaults={"label": "Plan de formation"}
    )
    companies = Company.objects.bulk_create(
        [Company(name=f"Bench Télécom {n:04d}", siret=siret_for(n), idcc="2148") for n in range(2000)],
        batch_size=BATCH,
    )
    reviewers = User.objects.bulk_create(
        [
            User(
                email=f"reviewer{n}@{EMAIL_DOMAIN}",
                password="!",  # unusable: nobody logs in with these accounts
                role=Role.AUVICOM_REVIEWER,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            for n in range(12)
        ]
    )
    states = [s for s, _w in STATE_WEIGHTS]
    weights = [w for _s, w in STATE_WEIGHTS]
    now = timezone.now()
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        with transaction.atomic():
            candidates = User.objects.bulk_create(
                [
                    User(
                        email=f"candidate{done + i}@{EMAIL_DOMAIN}",
                        password="!",
                        role=Role.CANDIDATE,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                    )
                    for i in range(size)
                ],
                batch_size=BATCH,
            )
            dossiers, numbered, years = [], [], []
            for candidate in candidates:
                state = rng.choices(states, weights)[0]
                route = rng.choice(list(ROUTE_CONTRACT))
                submitted_at = None
                if state != DossierState.DRAFT:
                    submitted_at = now - timedelta(seconds=rng.randint(0, 730 * 86400))
                claimed = state == DossierState.UNDER_REVIEW or (
                    state not in (DossierState.SUBMITTED, DossierState.DRAFT) and rng.random() < 0.9
                )
                dossiers.append(
                    Dossier(
                        candidate=candidate,
                        state=state,
                        submitted_at=submitted_at,
                        first_submitted_at=submitted_at,
                        state_changed_at=submitted_at or now,
                        last_name=candidate.last_name,
                        first_name=candidate.first_name,
                        phone="0612345678",
                        city="Paris",
                        company=rng.choice(companies),
                        contract_type=ROUTE_CONTRACT[route],
                        access_route=route,
                        cqpt=rng.choice(cqpts),
                        funding_scheme=scheme,
                        working_time=WorkingTime.DURING,
                        reviewer=rng.choice(reviewers) if claimed else None,
                        claimed_at=submitted_at if claimed else None,
                    )
                )
                if submitted_at is not None:
                    numbered.append(dossiers[-1])
                    years.append(timezone.localtime(submitted_at).year)
            take_numbers(numbered, years)
            Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        done += size
        print(f"  {done:>7} dossiers ({time.perf_counter() - started:5.1f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Filled {count} dossiers in {time.perf_counter() - started:.1f} s", flush=True)


def bench_user() -> User:
    user, _created = User.objects.get_or_create(
        email=BENCH_REVIEWER,
        defaults={"role": Role.AUVICOM_REVIEWER, "first_name": "Banc", "last_name": "D'essai", "password": "!"},
    )
    return user


def logged_client(user) -> Client:
    """A test Client logged in, past the second factor (as tests.conftest.login does)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.bench_user = user
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="bench")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def time_get(client, url, params, *, repeat: int, stream: bool = False):
    """Time `repeat` GETs; return the status, the durations (ms), the queries and the size of the last one."""
    durations, queries, size, status = [], 0, 0, None
    for _run in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            begin = time.perf_counter()
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if stream else response.content
            durations.append((time.perf_counter() - begin) * 1000)
        status, queries, size = response.status_code, len(ctx.captured_queries), len(body)
    return status, durations, queries, size


class _Echo:
    def write(self, value):
        return value


def _legacy_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def legacy_export_rows(queryset):
    """The export's loop before issue 13 (candidates/views/admissibility.py at 7e2c540), kept to compare with."""
    writer = csv.writer(_Echo(), delimiter=";")
    states = {value: str(label) for value, label in DossierState.choices}
    routes = {value: str(label) for value, label in AccessRoute.choices}
    today = timezone.localdate()
    yield "\ufeff"
    yield writer.writerow(
        [
            _("Numéro"),
            _("Nom"),
            _("Prénom"),
            _("E-mail"),
            _("CQPT"),
            _("Voie d'accès"),
            _("Entreprise"),
            _("SIRET"),
            _("État"),
            _("Instructeur"),
            _("Déposé le"),
            _("Ancienneté (jours)"),
        ]
    )
    rows = queryset.values_list(
        "number",
        "last_name",
        "first_name",
        "candidate__email",
        "cqpt__title",
        "access_route",
        "company__name",
        "company__siret",
        "state",
        "reviewer__first_name",
        "reviewer__last_name",
        "reviewer__email",
        "submitted_at",
    )
    lines = []
    for row in rows.iterator(chunk_size=2000):
        (number, last, first, email, cqpt, route, company, siret, state, r_first, r_last, r_email, submitted) = row
        reviewer = f"{r_first or ''} {r_last or ''}".strip() or (r_email or "")
        local = timezone.localtime(submitted) if submitted else None
        cells = (number, last, first, email, cqpt, routes.get(route, route), company, siret, states.get(state, state))
        lines.append(
            writer.writerow(
                [
                    *(_legacy_cell(v) for v in cells),
                    _legacy_cell(reviewer),
                    local.strftime("%d/%m/%Y %H:%M") if local else "",
                    (today - local.date()).days if local else "",
                ]
            )
        )
        if len(lines) >= 500:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def time_csv(make_chunks, queryset, *, repeat: int) -> tuple[list[float], str]:
    """Time `repeat` full runs of an export generator; return the durations (ms) and the text of the last."""
    durations, text = [], ""
    for _run in range(repeat):
        begin = time.perf_counter()
        text = "".join(make_chunks(queryset))
        durations.append((time.perf_counter() - begin) * 1000)
    return durations, text


def bench_exports(client, filtered, *, repeat: int) -> None:
    """The CSV export: the loop before and after issue 13 on the same rows (same bytes), then the streamed view."""
    export = reverse("candidates:admissibility_export")
    print(f"\n{'CSV export':62} {'lines':>7} {'min ms':>8} {'median':>8} {'queries':>7} {'size':>7}")
    for title, params in [("queue", {}), ("all states", {"state": "all"})]:
        queryset = filtered(**params)
        lines = queryset.count()
        results = {}
        for label, make_chunks in [("loop before issue 13", legacy_export_rows), ("loop now", export_csv_chunks)]:
            with CaptureQueriesContext(connection) as ctx:
                durations, text = time_csv(make_chunks, queryset, repeat=repeat)
            results[label] = text
            print(
                f"{f'{title}: {label}':62} {lines:>7} {min(durations):8.1f} {statistics.median(durations):8.1f} "
                f"{len(ctx.captured_queries) // repeat:>7} {len(text.encode()) / 1e6:5.1f}MB"
            )
        if len(set(results.values())) != 1:
            sys.exit(f"{title}: the export's text differs from the one before issue 13")
        # The task's work for a long export: the same lines written to a private file.
        durations = []
        for _run in range(repeat):
            job = AdmissibilityExport.objects.create(requested_by=client.bench_user, params=params)
            with CaptureQueriesContext(connection) as ctx:
                begin = time.perf_counter()
                export_build(export_id=job.pk)
                durations.append((time.perf_counter() - begin) * 1000)
            job.refresh_from_db()
            size = job.size
            job.file.delete(save=False)
            job.delete()
        print(
            f"{f'{title}: file written by the task (export_build)':62} {lines:>7} {min(durations):8.1f} "
            f"{statistics.median(durations):8.1f} {len(ctx.captured_queries):>7} {size / 1e6:5.1f}MB"
        )
        # The streamed response, whatever the threshold above which the view queues a job instead.
        with override_settings(ADMISSIBILITY_EXPORT_SYNC_MAX_ROWS=10**9):
            status, durations, queries, size = time_get(client, export, params, repeat=repeat, stream=True)
        print(
            f"{f'{title}: streamed response (view)':62} {lines:>7} {min(durations):8.1f} "
            f"{statistics.median(durations):8.1f} {queries:>7} {size / 1e6:5.1f}MB"
        )


def explain(title: str, queryset) -> None:
    print(f"\n--- EXPLAIN ANALYZE: {title}")
    print(queryset.explain(analyze=True, buffers=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--refill", action="store_true", help="delete the bench data and fill again")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--export-only", action="store_true", help="time the CSV export only (the loop before and after issue 13)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://…")
    settings.DEBUG = False  # no per-query bookkeeping beyond what CaptureQueriesContext asks for
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the export's notification
    logging.getLogger("celery").setLevel(logging.WARNING)  # eager tasks would log each notification sent
    if args.refill:
        clear()
    existing = Dossier.objects.filter(candidate__email__endswith=f"@{EMAIL_DOMAIN}").count()
    if existing < args.dossiers:
        if existing:
            clear()
        fill(args.dossiers)
    print(
        f"\nDossiers in the database: {Dossier.objects.count()}, in the queue: "
        f"{Dossier.objects.filter(state__in=[DossierState.SUBMITTED, DossierState.UNDER_REVIEW]).count()}"
    )

    user = bench_user()
    client = logged_client(user)
    queue = reverse("candidates:auvicom_dashboard")
    cqpt = Cqpt.objects.get(code="ccd")
    request = RequestFactory().get(queue)
    request.user = user

    def filtered(**params):
        params = {key: str(value) for key, value in params.items()}
        return AdmissibilityQueueFilter(params, queryset=admissibility_queue_base(), request=request).qs

    if args.export_only:
        bench_exports(client, filtered, repeat=args.repeat)
        return

    last_page = -(-filtered().count() // PAGE_SIZE)
    all_pages = -(-filtered(state="all").count() // PAGE_SIZE)
    scenarios = [
        ("Queue, first page (default: submitted + under review, oldest first)", {}),
        ("Queue, last page", {"page": last_page}),
        ("All states, first page", {"state": "all"}),
        ("All states, last page", {"state": "all", "page": all_pages}),
        ("Filtered: CQPT + accès libre", {"cqpt": cqpt.pk, "access_route": AccessRoute.ACCES_LIBRE}),
        (
            "Filtered: unclaimed, submitted last 30 days",
            {"reviewer": "unclaimed", "submitted_from": (timezone.localdate() - timedelta(days=30)).isoformat()},
        ),
        ("Filtered: mine (bench reviewer has none)", {"reviewer": "mine"}),
        ("Search: name prefix 'dup' (all states)", {"q": "dup", "state": "all"}),
        ("Search: 'marie dupont' (all states)", {"q": "marie dupont", "state": "all"}),
        ("Search: number prefix CQPT-2025-0012 (all states)", {"q": "CQPT-2025-0012", "state": "all"}),
        ("Search: exact number CQPT-2025-001234 (all states)", {"q": "CQPT-2025-001234", "state": "all"}),
        ("Sort by name, all states, page 100", {"state": "all", "sort": "name", "page": 100}),
        ("Company name 'télécom 0042' (all states)", {"company": "télécom 0042", "state": "all"}),
    ]
    print(f"\n{'scenario':62} {'status':>6} {'min ms':>8} {'median':>8} {'queries':>7} {'rows':>7}")
    for title, params in scenarios:
        status, durations, queries, _size = time_get(client, queue, params, repeat=args.repeat)
        rows = filtered(**{k: v for k, v in params.items() if k != "page"}).count()
        print(
            f"{title:62} {status:>6} {min(durations):8.1f} {statistics.median(durations):8.1f} {queries:>7} {rows:>7}"
        )
    bench_exports(client, filtered, repeat=2)

    explain("queue, first page: the page's ids", filtered().values_list("pk", flat=True)[:PAGE_SIZE])
    ids = list(filtered().values_list("pk", flat=True)[:PAGE_SIZE])
    explain("queue, first page: the rows of those ids", filtered().filter(pk__in=ids))
    with CaptureQueriesContext(connection) as ctx:
        filtered().count()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + ctx.captured_queries[-1]["sql"])
        print("\n--- EXPLAIN ANALYZE: queue, COUNT (the paginator's one COUNT)")
        print("\n".join(row[0] for row in cursor.fetchall()))
    tail = filtered(state="all").count() - (all_pages - 1) * PAGE_SIZE
    explain(
        "all states, last page: the page's ids (DeferredJoinPaginator reads past-the-middle pages in reverse)",
        filtered(state="all").reverse().values_list("pk", flat=True)[:tail],
    )
    explain(
        "search 'dup', all states: the page's ids", filtered(q="dup", state="all").values_list("pk", flat=True)[:25]
    )
    explain(
        "number prefix, all states: the page's ids",
        filtered(q="CQPT-2025-0012", state="all").values_list("pk", flat=True)[:25],
    )
    explain(
        "CQPT + route: the page's ids",
        filtered(cqpt=cqpt.pk, access_route=AccessRoute.ACCES_LIBRE).values_list("pk", flat=True)[:25],
    )
    explain(
        "sort by name, all states, page 100: the page's ids",
        filtered(state="all", sort="name").values_list("pk", flat=True)[2475:2500],
    )


if __name__ == "__main__":
    main()
