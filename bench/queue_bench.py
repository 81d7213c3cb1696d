#!/usr/bin/env python
"""Benchmark of AUVICOM's review queue on a large PostgreSQL database.

Fills the database with N dossiers (bulk_create, default 100,000), then times
the queue page through the test Client (first page, filtered, searches, last
page, name sort) and the CSV export, and prints the EXPLAIN ANALYZE of the
main queries. Figures are recorded in docs/performance.md.

    createdb -h 127.0.0.1 -U postgres cqpt_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/queue_bench.py            # fills once, then times
    .venv/bin/python bench/queue_bench.py --refill   # empties the bench data first

Never run it against a database that matters: it writes tens of thousands of rows.
"""

import argparse
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
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.enums import AccessRoute, ContractType, DossierState, WorkingTime  # noqa: E402
from candidates.filters import AdmissibilityQueueFilter  # noqa: E402
from candidates.models import Dossier  # noqa: E402
from candidates.selectors import admissibility_queue_base  # noqa: E402
from candidates.views.admissibility import PAGE_SIZE  # noqa: E402
from catalogue.models import Company, Cqpt  # noqa: E402
from catalogue.validators import luhn_is_valid  # noqa: E402
from cqpt_portal.accounts.enums import Role  # noqa: E402
from cqpt_portal.accounts.models import User  # noqa: E402
from funding.models import FundingScheme  # noqa: E402

EMAIL_DOMAIN = "bench.cqpt.invalid"
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
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Company.objects.filter(name__startswith="Bench ").delete()


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
    counters: dict[int, int] = {}
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
            dossiers = []
            for candidate in candidates:
                state = rng.choices(states, weights)[0]
                route = rng.choice(list(ROUTE_CONTRACT))
                submitted_at = number = None
                if state != DossierState.DRAFT:
                    submitted_at = now - timedelta(seconds=rng.randint(0, 730 * 86400))
                    year = timezone.localtime(submitted_at).year
                    counters[year] = counters.get(year, 0) + 1
                    number = f"CQPT-{year}-{counters[year]:06d}"
                claimed = state == DossierState.UNDER_REVIEW or (
                    state not in (DossierState.SUBMITTED, DossierState.DRAFT) and rng.random() < 0.9
                )
                dossiers.append(
                    Dossier(
                        candidate=candidate,
                        number=number,
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
            Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        done += size
        print(f"  {done:>7} dossiers ({time.perf_counter() - started:5.1f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Filled {count} dossiers in {time.perf_counter() - started:.1f} s", flush=True)


def bench_user() -> User:
    user, _created = User.objects.get_or_create(
        email=f"bench-reviewer@{EMAIL_DOMAIN}",
        defaults={"role": Role.AUVICOM_REVIEWER, "first_name": "Banc", "last_name": "D'essai", "password": "!"},
    )
    return user


def logged_client(user) -> Client:
    """A test Client logged in, past the second factor (as tests.conftest.login does)."""
    from django_otp.plugins.otp_static.models import StaticDevice

    client = Client()
    client.force_login(user)
    device, _created = StaticDevice.objects.get_or_create(user=user, name="bench")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def time_get(client, url, params, *, repeat: int, stream: bool = False):
    """Time `repeat` GETs; return the status, the durations (ms), the queries and the size of the last one."""
    durations, queries, size, status = [], 0, 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            begin = time.perf_counter()
            response = client.get(url, params)
            body = b"".join(response.streaming_content) if stream else response.content
            durations.append((time.perf_counter() - begin) * 1000)
        status, queries, size = response.status_code, len(ctx.captured_queries), len(body)
    return status, durations, queries, size


def explain(title: str, queryset) -> None:
    print(f"\n--- EXPLAIN ANALYZE: {title}")
    print(queryset.explain(analyze=True, buffers=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--refill", action="store_true", help="delete the bench data and fill again")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://…")
    settings.DEBUG = False  # no per-query bookkeeping beyond what CaptureQueriesContext asks for
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
    export = reverse("candidates:admissibility_export")
    cqpt = Cqpt.objects.get(code="ccd")
    request = RequestFactory().get(queue)
    request.user = user

    def filtered(**params):
        params = {key: str(value) for key, value in params.items()}
        return AdmissibilityQueueFilter(params, queryset=admissibility_queue_base(), request=request).qs

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
    for title, params in [("CSV export, queue", {}), ("CSV export, all states", {"state": "all"})]:
        status, durations, queries, size = time_get(client, export, params, repeat=2, stream=True)
        print(
            f"{title:62} {status:>6} {min(durations):8.1f} {statistics.median(durations):8.1f} {queries:>7} "
            f"{size / 1e6:5.1f}MB"
        )

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
