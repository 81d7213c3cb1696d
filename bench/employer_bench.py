#!/usr/bin/env python
"""Benchmark of the employer dashboard's periods to confirm on a large PostgreSQL database.

Fills the database with N experience periods (bulk_create, default 100,000) in about N/3 dossiers
across 500 companies, one of them large (a tenth of the periods), runs ANALYZE, then times the
employer dashboard through the test Client (first page, second page, last page of the periods) for
the large company's employer and a small one's, and prints the EXPLAIN ANALYZE of every query of the
page that reads the experience periods. It reads the queries the page sends, so the same script
measures the code before and after a change. Figures are recorded in docs/performance.md.

    createdb -h 127.0.0.1 -U postgres cqpt_bench_caps
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench_caps
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/employer_bench.py            # fills once, then times
    .venv/bin/python bench/employer_bench.py --refill   # empties the bench data first

It only adds rows of its own (e-mails @bench-employer.cqpt.invalid, companies "BenchEmp …"), so it
runs on a database that already holds demo data; never run it against a database that matters.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.enums import FINAL_STATES, AccessRoute, ContractType, DossierState, EmployerConfirmation  # noqa: E402
from candidates.models import Dossier, ExperiencePeriod  # noqa: E402
from catalogue.models import Company, Cqpt  # noqa: E402
from catalogue.validators import luhn_is_valid  # noqa: E402
from cqpt_portal.accounts.enums import Role  # noqa: E402
from cqpt_portal.accounts.models import User  # noqa: E402

EMAIL_DOMAIN = "bench-employer.cqpt.invalid"
COMPANY_PREFIX = "BenchEmp "
COMPANIES = 500
BATCH = 5000
PERIODS_PER_DOSSIER = 3
# A mature portal: most dossiers are closed, their periods stay in the table.
STATE_WEIGHTS = [
    (DossierState.DRAFT, 10),
    (DossierState.SUBMITTED, 5),
    (DossierState.UNDER_REVIEW, 5),
    (DossierState.INCOMPLETE, 5),
    (DossierState.IN_EVALUATION, 10),
    (DossierState.AWARDED, 40),
    (DossierState.NOT_AWARDED, 10),
    (DossierState.WITHDRAWN, 10),
    (DossierState.INADMISSIBLE, 5),
]
STATUS_WEIGHTS = [
    (EmployerConfirmation.DECLARED, 50),
    (EmployerConfirmation.CONFIRMED, 40),
    (EmployerConfirmation.DISPUTED, 10),
]


def siret_for(n: int) -> str:
    base = f"{700000000 + n:09d}{n % 100000:05d}"[:13]
    return next(base + str(d) for d in range(10) if luhn_is_valid(base + str(d)))


def clear() -> None:
    print("Removing previous bench data…", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM candidates_experienceperiod WHERE dossier_id IN (SELECT d.id FROM candidates_dossier d "
            "JOIN accounts_user u ON u.id = d.candidate_id WHERE u.email LIKE %s)",
            [f"%@{EMAIL_DOMAIN}"],
        )
        cursor.execute(
            "DELETE FROM candidates_dossier WHERE candidate_id IN (SELECT id FROM accounts_user WHERE email LIKE %s)",
            [f"%@{EMAIL_DOMAIN}"],
        )
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Company.objects.filter(name__startswith=COMPANY_PREFIX).delete()


def fill(count: int, *, seed: int = 2148) -> None:
    rng = random.Random(seed)
    started = time.perf_counter()
    cqpt, _created = Cqpt.objects.get_or_create(code="ccd", defaults={"title": "Conseiller clientèle à distance"})
    companies = Company.objects.bulk_create(
        [Company(name=f"{COMPANY_PREFIX}{n:04d}", siret=siret_for(n), idcc="2148") for n in range(COMPANIES)]
    )
    large, others = companies[0], companies[1:]
    states, state_weights = zip(*STATE_WEIGHTS, strict=True)
    statuses, status_weights = zip(*STATUS_WEIGHTS, strict=True)
    now = timezone.now()
    done = 0
    dossier_number = 0
    while done < count:
        size = min(BATCH, count - done)
        dossiers_needed = -(-size // PERIODS_PER_DOSSIER)
        with transaction.atomic():
            candidates = User.objects.bulk_create(
                [
                    User(email=f"candidate{dossier_number + i}@{EMAIL_DOMAIN}", password="!", role=Role.CANDIDATE)
                    for i in range(dossiers_needed)
                ]
            )
            dossiers = Dossier.objects.bulk_create(
                [
                    Dossier(
                        candidate=candidate,
                        state=rng.choices(states, state_weights)[0],
                        last_name=f"Nom{dossier_number + i}",
                        first_name="Prénom",
                        company=rng.choice(companies),
                        access_route=AccessRoute.ACCES_LIBRE,
                        contract_type=ContractType.CDI,
                        cqpt=cqpt,
                        state_changed_at=now,
                    )
                    for i, candidate in enumerate(candidates)
                ]
            )
            periods = []
            for i in range(size):
                dossier = dossiers[i // PERIODS_PER_DOSSIER]
                company = large if rng.random() < 0.1 else rng.choice(others)
                status = rng.choices(statuses, status_weights)[0]
                start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 1500))
                periods.append(
                    ExperiencePeriod(
                        dossier=dossier,
                        employer_name=company.name,
                        siret=company.siret,
                        idcc="2148",
                        # A fifth declared before the company was known to the portal: no link, the SIRET only.
                        company=None if rng.random() < 0.2 else company,
                        start_date=start,
                        end_date=start + timedelta(days=rng.randint(30, 700)),
                        hours=rng.randint(100, 1607),
                        employer_status=status,
                        employer_reviewed_at=None if status == EmployerConfirmation.DECLARED else now,
                    )
                )
            ExperiencePeriod.objects.bulk_create(periods)
        dossier_number += dossiers_needed
        done += size
        print(f"  {done:>7} periods ({time.perf_counter() - started:5.1f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"Filled {count} periods in {time.perf_counter() - started:.1f} s", flush=True)


def bench_employer(company: Company) -> User:
    user, _created = User.objects.get_or_create(
        email=f"employer-{company.siret}@{EMAIL_DOMAIN}",
        defaults={"role": Role.EMPLOYER, "company": company, "company_verified_at": timezone.now(), "password": "!"},
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


def time_get(client, url, params, *, repeat: int):
    """Time `repeat` GETs; return the status, the durations (ms), the captured queries and the size of the last."""
    durations, captured, size, status = [], [], 0, None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            begin = time.perf_counter()
            response = client.get(url, params)
            durations.append((time.perf_counter() - begin) * 1000)
        status, captured, size = response.status_code, ctx.captured_queries, len(response.content)
    return status, durations, captured, size


def sql_ms(captured) -> float:
    """The time the database took for the captured queries of one request (as Django measured it)."""
    return sum(float(query["time"]) for query in captured) * 1000


def explain_sql(title: str, sql: str) -> None:
    print(f"\n--- EXPLAIN (ANALYZE, BUFFERS): {title}\n{sql}\n")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--periods", type=int, default=100_000)
    parser.add_argument("--refill", action="store_true", help="delete the bench data and fill again")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL=postgres://…")
    settings.DEBUG = False
    if args.refill:
        clear()
    existing = ExperiencePeriod.objects.filter(dossier__candidate__email__endswith=f"@{EMAIL_DOMAIN}").count()
    if existing < args.periods:
        if existing:
            clear()
        fill(args.periods)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE candidates_experienceperiod")
        cursor.execute("ANALYZE candidates_dossier")
    print(f"\nExperience periods in the database: {ExperiencePeriod.objects.count()}")

    url = reverse("candidates:employer_dashboard")
    large = Company.objects.get(name=f"{COMPANY_PREFIX}0000")
    small = Company.objects.get(name=f"{COMPANY_PREFIX}0001")
    print(
        f"{'scenario':48} {'status':>6} {'min ms':>8} {'median':>8} {'SQL ms':>7} {'queries':>7} {'KB':>6} "
        f"{'periods':>8}"
    )
    plans = []
    for label, company in (("large company", large), ("small company", small)):
        client = logged_client(bench_employer(company))
        at_company = ExperiencePeriod.objects.filter(siret=company.siret).exclude(dossier__state__in=FINAL_STATES)
        for title, params in (("first page", {}), ("page 2", {"periodes": 2}), ("last page", {"periodes": 99999})):
            status, durations, captured, size = time_get(client, url, params, repeat=args.repeat)
            print(
                f"{label + ', ' + title:48} {status:>6} {min(durations):8.1f} {statistics.median(durations):8.1f} "
                f"{sql_ms(captured):7.1f} {len(captured):>7} {size / 1024:6.0f} {at_company.count():>8}"
            )
            if label == "large company" and title in ("first page", "last page"):
                plans += [
                    (f"{label}, {title}, query {n}", q["sql"])
                    for n, q in enumerate(captured, 1)
                    if "candidates_experienceperiod" in q["sql"]
                ]
    for title, sql in plans:
        explain_sql(title, sql)


if __name__ == "__main__":
    main()
