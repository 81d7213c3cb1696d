#!/usr/bin/env python
"""Benchmark of the quiz on PostgreSQL: the answer save under load, and the beat task closing expired attempts.

1. 200 candidates take a 40-question quiz at once against gunicorn (2 sync workers, DEBUG off): each virtual
   candidate answers its 40 questions one after the other, waiting 1 to 4 s between answers (a few seconds of
   reading), and re-sends 5 % of its answers (a double click, a retry): prints the save request's median and
   p99, the requests per second, and counts that every answer sent is stored exactly once (one row per
   question, `saves` = 1, the answer sent). Also times the save through Django's test Client, sequentially,
   like bench/queue_bench.py times the review queue, and counts its SQL queries.
2. 1,000 expired attempts (40 questions each, answered) closed and scored by the beat task's function:
   total time, per attempt, and SQL queries per attempt (for 10 and for 1,000 attempts: constant).

Local only, never run by the test suite; it writes thousands of rows:

    createdb -h 127.0.0.1 -U postgres cqpt_quiz_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_quiz_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/quiz_bench.py [--users 200] [--questions 40] [--expired 1000]
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")
# The sessions made here are read by gunicorn: both sign with the same key.
os.environ.setdefault("SECRET_KEY", "quiz-bench-secret-key-not-for-production-0123456789")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from catalogue.models import CompetencyBlock, Cqpt  # noqa: E402
from cqpt_portal.accounts.enums import Role  # noqa: E402
from cqpt_portal.accounts.models import User  # noqa: E402
from quiz.enums import AttemptState, QuestionKind, QuizPurpose  # noqa: E402
from quiz.models import Attempt, AttemptQuestion, Question, QuizBlockRule, QuizDefinition  # noqa: E402
from quiz.services import attempt_open, attempts_close_expired, make_choices  # noqa: E402
from quiz.workflow import ATTEMPT_WORKFLOW  # noqa: E402

EMAIL_DOMAIN = "quizbench.cqpt.invalid"
PORT = 8765
CSRF = "quizbenchcsrftokenquizbench12345"  # a 32-character secret: cookie and header


def setup_bank(questions_per_quiz: int) -> QuizDefinition:
    cqpt, _ = Cqpt.objects.get_or_create(code="quizbench", defaults={"title": "CQPT du banc d'essai"})
    blocks = []
    for position in range(4):
        block, _ = CompetencyBlock.objects.get_or_create(
            cqpt=cqpt, code=f"QB{position}", defaults={"title": f"Bloc {position}", "position": position}
        )
        blocks.append(block)
    if Question.objects.filter(cqpt=cqpt).count() < questions_per_quiz * 4:
        Question.objects.filter(cqpt=cqpt, uses__isnull=True).delete()
        Question.objects.bulk_create(
            Question(
                cqpt=cqpt,
                block=block,
                kind=QuestionKind.MULTIPLE if n % 3 == 0 else QuestionKind.SINGLE,
                text=f"Question {n} du bloc {block.code} ?",
                choices=make_choices(
                    ["Bonne", "Autre bonne" if n % 3 == 0 else "Fausse", "Fausse", "Aucune"],
                    {0, 1} if n % 3 == 0 else {0},
                ),
            )
            for block in blocks
            for n in range(questions_per_quiz)
        )
    definition, created = QuizDefinition.objects.get_or_create(
        cqpt=cqpt,
        purpose=QuizPurpose.PREDIAGNOSTIC,
        defaults={"title": "Banc d'essai", "time_limit_minutes": 60},
    )
    for block in blocks:
        QuizBlockRule.objects.update_or_create(
            definition=definition, block=block, defaults={"question_count": questions_per_quiz // 4}
        )
    return definition


def candidates(prefix: str, count: int) -> list[User]:
    existing = {u.email: u for u in User.objects.filter(email__startswith=prefix, email__endswith=EMAIL_DOMAIN)}
    new = [
        User(
            email=f"{prefix}{n}@{EMAIL_DOMAIN}",
            role=Role.CANDIDATE,
            first_name="Banc",
            last_name=f"{n}",
            email_confirmed_at=timezone.now(),
        )
        for n in range(count)
        if f"{prefix}{n}@{EMAIL_DOMAIN}" not in existing
    ]
    for user in new:
        user.set_unusable_password()
    User.objects.bulk_create(new)
    return list(User.objects.filter(email__startswith=prefix, email__endswith=EMAIL_DOMAIN).order_by("id"))[:count]


def fresh_attempts(definition, users, opener, *, start=True) -> list[Attempt]:
    Attempt.objects.filter(candidate__in=users).delete()
    now = timezone.now()
    attempts = []
    for user in users:
        attempt = attempt_open(
            definition=definition,
            candidate=user,
            actor=opener,
            window_opens_at=now,
            window_closes_at=now + datetime.timedelta(days=1),
        )
        if start:
            attempt = ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="start_attempt", actor=user)
        attempts.append(attempt)
    return attempts


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _sql(captured):
    """The statements, without the transaction's BEGIN/COMMIT/SAVEPOINT that psycopg logs."""
    skip = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [q for q in captured.captured_queries if not q["sql"].upper().startswith(skip)]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- 1. the answer save under load ---------------------------------------------------------------


def start_gunicorn(workers=2):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "cqpt_portal.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def load(attempts, users, *, min_wait, max_wait, resend):
    """One thread per candidate; returns (latencies in ms, statuses, answers sent, wall time)."""
    plans = {}
    for attempt in attempts:
        items = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
        plans[attempt.pk] = [
            (
                i.position,
                random.sample(i.choice_keys, 2) if i.kind == QuestionKind.MULTIPLE else [random.choice(i.choice_keys)],
            )
            for i in items
        ]
    cookies = {u.pk: session_cookie(u) for u in users}
    latencies, statuses, sent = [], [], {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(attempts))

    def candidate(attempt, user):
        barrier.wait()
        time.sleep(random.uniform(0, max_wait))
        for position, keys in plans[attempt.pk]:
            times = 2 if random.random() < resend else 1
            for _ in range(times):
                body = "&".join(f"choices={k}" for k in keys).encode()
                request = urllib.request.Request(
                    f"http://127.0.0.1:{PORT}{reverse('quiz:save', args=[attempt.pk, position])}",
                    data=body,
                    method="POST",
                    headers={
                        "Cookie": f"sessionid={cookies[user.pk]}; csrftoken={CSRF}",
                        "X-CSRFToken": CSRF,
                        "HX-Request": "true",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                began = time.perf_counter()
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, text = response.status, response.read().decode()
                except urllib.error.HTTPError as error:
                    status, text = error.code, ""
                except OSError:
                    status, text = 0, ""
                elapsed = (time.perf_counter() - began) * 1000
                ok = status == 200 and 'data-save-state="saved"' in text
                with lock:
                    latencies.append(elapsed)
                    statuses.append(status if ok else f"{status}-refused")
                    sent[(attempt.pk, position)] = sorted(keys)
            time.sleep(random.uniform(min_wait, max_wait))

    by_pk = {u.pk: u for u in users}
    threads = [threading.Thread(target=candidate, args=(a, by_pk[a.candidate_id])) for a in attempts]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, sent, time.perf_counter() - began


def warm(attempt, user, count=20):
    """A few saves on an attempt of its own, so that both workers have imported everything before measuring."""
    cookie = session_cookie(user)
    for n in range(count):
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{reverse('quiz:save', args=[attempt.pk, 1 + n % 4])}",
            data=b"choices=1",
            method="POST",
            headers={"Cookie": f"sessionid={cookie}; csrftoken={CSRF}", "X-CSRFToken": CSRF},
        )
        urllib.request.urlopen(request, timeout=30).read()


def check_stored(attempts, sent):
    rows = AttemptQuestion.objects.filter(attempt__in=attempts)
    stored = {(r.attempt_id, r.position): (sorted(r.selected or []), r.saves) for r in rows}
    exact = sum(1 for key, keys in sent.items() if stored.get(key) == (keys, 1))
    return len(sent), len(stored), exact


def queue_first_page(repeat=50):
    """The review queue's first page, timed the same way in the same run: the yardstick of the issue."""
    from django_otp.plugins.otp_static.models import StaticDevice

    reviewer, _ = User.objects.get_or_create(
        email=f"queue@{EMAIL_DOMAIN}", defaults={"role": Role.AUVICOM_REVIEWER, "first_name": "File"}
    )
    client = Client()
    client.force_login(reviewer)
    device, _ = StaticDevice.objects.get_or_create(user=reviewer, name="bench")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    url = reverse("candidates:auvicom_dashboard")
    timings, queries = [], []
    for _ in range(repeat):
        connection.queries_log.clear()  # a full log (9,000) would make the capture empty
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(_sql(captured)))
    return timings, queries


def sequential_save(attempt, user, repeat=200):
    client = Client()
    client.force_login(user)
    items = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    timings, queries = [], []
    for n in range(repeat):
        item = items[n % len(items)]
        keys = [item.choice_keys[n % 2]] if item.kind == QuestionKind.SINGLE else item.choice_keys[:2]
        if item.kind != QuestionKind.SINGLE and n % 2:
            keys = item.choice_keys[1:3]
        connection.queries_log.clear()  # a full log (9,000) would make the capture empty
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.post(reverse("quiz:save", args=[attempt.pk, item.position]), {"choices": keys})
            timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
        queries.append(len(_sql(captured)))
    return timings, queries


# --- 2. closing expired attempts -----------------------------------------------------------------


def expire_and_close(definition, users, opener):
    attempts = fresh_attempts(definition, users, opener)
    rows = list(AttemptQuestion.objects.filter(attempt__in=attempts))
    now = timezone.now()
    for row in rows:
        row.selected = [row.choice_keys[0]]
        row.answered_at = now
        row.saves = 1
    AttemptQuestion.objects.bulk_update(rows, ["selected", "answered_at", "saves"], batch_size=2000)
    Attempt.objects.filter(pk__in=[a.pk for a in attempts]).update(closes_at=now - datetime.timedelta(seconds=1))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE quiz_attempt; ANALYZE quiz_attemptquestion")
    statements = []

    def count(execute, sql, params, many, context):
        # A wrapper, not CaptureQueriesContext: Django keeps only the last 9,000 queries.
        if not sql.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")):
            statements.append(1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        began = time.perf_counter()
        counts = attempts_close_expired()
        elapsed = time.perf_counter() - began
    closed = Attempt.objects.filter(pk__in=[a.pk for a in attempts], state=AttemptState.CLOSED, score__isnull=False)
    return counts, elapsed, len(statements), closed.count()


def run_load(definition, opener, attempts, users, args):
    server = start_gunicorn(args.workers)
    try:
        warm_user = candidates("warm", 1)
        warm(fresh_attempts(definition, warm_user, opener)[0], warm_user[0])
        latencies, statuses, sent, wall = load(
            attempts, users, min_wait=args.min_wait, max_wait=args.max_wait, resend=args.resend
        )
    finally:
        server.terminate()
        server.wait()
    ok = statuses.count(200)
    print(
        f"requests: {len(latencies)} in {wall:.1f} s = {len(latencies) / wall:.1f} req/s; saved: {ok}; "
        f"other: {len(latencies) - ok} {sorted(set(statuses) - {200})}"
    )
    print(
        f"save latency: median {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms"
    )
    distinct, rows, exact = check_stored(attempts, sent)
    print(
        f"answers sent (distinct questions): {distinct}; rows answered: {rows}; stored exactly once with the "
        f"answer sent (saves = 1): {exact}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--expired", type=int, default=1000)
    parser.add_argument("--min-wait", type=float, default=1.0)
    parser.add_argument("--max-wait", type=float, default=4.0)
    parser.add_argument("--resend", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--skip-load", action="store_true", help="only the sequential timings and the closing")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run it on PostgreSQL (DATABASE_URL=postgres://...)"

    definition = setup_bank(args.questions)
    opener, _ = User.objects.get_or_create(
        email=f"reviewer@{EMAIL_DOMAIN}", defaults={"role": Role.AUVICOM_REVIEWER, "first_name": "Banc"}
    )

    print(f"== 1. {args.users} candidates × {args.questions} questions, gunicorn {args.workers} sync workers ==")
    users = candidates("load", args.users)
    t = time.perf_counter()
    attempts = fresh_attempts(definition, users, opener)
    print(f"setup: {len(attempts)} attempts opened and started in {time.perf_counter() - t:.1f} s")
    if not args.skip_load:
        run_load(definition, opener, attempts, users, args)

    timings, queries = sequential_save(attempts[0], users[0])
    print(
        f"save through the test Client, sequential, {len(timings)} times: min {min(timings):.1f} ms, median "
        f"{statistics.median(timings):.1f} ms; SQL queries per save: {sorted(set(queries))}"
    )

    timings, queries = queue_first_page()
    from candidates.models import Dossier

    print(
        f"review queue's first page ({Dossier.objects.count()} dossiers), same client, {len(timings)} times: "
        f"min {min(timings):.1f} ms, median {statistics.median(timings):.1f} ms; SQL queries: {sorted(set(queries))}"
    )
    with open("/proc/loadavg") as loadavg:
        print(f"load average during the run: {loadavg.read().split()[:3]}")

    print(f"== 2. closing expired attempts ({args.questions} questions each, answered) ==")
    for count in sorted({10, args.expired} - {0}):
        users = candidates("expired", count)
        counts, elapsed, queries, closed = expire_and_close(definition, users, opener)
        print(
            f"{count} attempts: {counts}, {elapsed:.2f} s ({elapsed / count * 1000:.1f} ms per attempt), "
            f"{queries} queries ({queries / count:.1f} per attempt), closed and scored: {closed}"
        )


if __name__ == "__main__":
    main()
