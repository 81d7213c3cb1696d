#!/usr/bin/env python
"""Benchmark of the Celery worker: the notification e-mail task against a no-op task, same worker, same run.

Starts its own SMTP sink (Python's smtpd: it accepts every message and drops it,
counting messages and connections) and its own Celery worker (prefork, on Redis
and PostgreSQL, DEBUG off as in production), warms it up, then for each round:

1. N no-op tasks are queued on a queue the worker does not consume yet, then the
   worker is told to consume it (add_consumer): the clock runs until a last task,
   queued behind them, has run;
2. N notifications are written through the outbox (`notification_create`, one
   transaction) and their tasks routed to another such queue, which the worker is
   then told to consume: the clock runs until every row says "sent".

It prints both rates and their ratio (notifications/s ÷ no-op tasks/s).

    createdb -h 127.0.0.1 -U postgres cqpt_bench_worker
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench_worker REDIS_URL=redis://127.0.0.1:6379/11
    .venv/bin/python manage.py migrate
    .venv/bin/python bench/worker_bench.py [--count 2000] [--concurrency 2] [--rounds 2] [--mail smtp|dummy]

`--code DIR` runs the worker from another checkout (e.g. `git archive <commit> | tar -x -C DIR`, then
`ln -s $PWD/.venv DIR/.venv`) to measure older code with the same script; this process writes the rows with
this checkout's code. Never run it against a database or Redis DB that matters: it deletes every notification
of the database and flushes the Redis DB. Not run by the test suite; figures go to docs/performance.md.
"""

from celery import shared_task

NOOP_QUEUE = "bench_noop"
MAIL_QUEUE = "bench_mail"
REFERENCE = "worker-bench"


# The worker imports this module (celery worker --include worker_bench): only the two tasks live at the top level.
@shared_task(name="bench.noop")
def noop():
    """The baseline: a task that does nothing."""


@shared_task(name="bench.mark")
def mark(redis_url: str, key: str):
    """Queued behind the no-op tasks: says when they are done."""
    import time

    import redis

    redis.Redis.from_url(redis_url).set(key, repr(time.time()))


def smtp_sink(port: int) -> None:
    """An SMTP server that accepts and drops everything; prints "<messages> <connections>" when terminated."""
    import asyncore
    import signal
    import smtpd
    import sys

    class Sink(smtpd.SMTPServer):
        messages = 0
        connections = 0

        def handle_accepted(self, conn, addr):
            Sink.connections += 1
            super().handle_accepted(conn, addr)

        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
            Sink.messages += 1

    Sink(("127.0.0.1", port), None, decode_data=False)
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(0))
    try:
        asyncore.loop(timeout=1)
    finally:
        print(Sink.messages, Sink.connections, flush=True)


def main():  # noqa: PLR0915 - a script read top to bottom
    import argparse
    import os
    import signal
    import socket
    import subprocess
    import sys
    import tempfile
    import time
    import uuid
    from pathlib import Path
    from urllib.parse import urlsplit

    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--mail", choices=["smtp", "dummy"], default="smtp")
    parser.add_argument("--code", type=Path, default=root, help="checkout the worker runs from")
    parser.add_argument("--smtp-sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.smtp_sink:
        return smtp_sink(args.smtp_sink)

    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    assert database_url.startswith(("postgres://", "postgresql://")), "set DATABASE_URL=postgres://..."
    assert urlsplit(database_url).path.lstrip("/") not in {"cqpt_ci", "cqpt_bench"}, "not that database"
    assert redis_url and urlsplit(redis_url).path.lstrip("/") not in {"", "0", "5"}, "set REDIS_URL=redis://.../<db>"
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["OUTBOX_PUBLISH_TIMEOUT"] = "10"

    import django

    django.setup()

    import redis
    from django.db import transaction

    from cqpt_portal.celery import app
    from cqpt_portal.notifications.enums import NotificationState
    from cqpt_portal.notifications.models import Notification
    from cqpt_portal.notifications.services import notification_create

    # The outbox's tasks wait on their own queue until the clock starts (set before anything is published:
    # Celery keeps its router).
    app.conf.task_routes = {"cqpt_portal.notifications.tasks.send_notification": {"queue": MAIL_QUEUE}}
    redis.Redis.from_url(redis_url).flushdb()
    Notification.objects.all().delete()
    workdir = Path(tempfile.mkdtemp(prefix="worker-bench-"))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    sink = None
    if args.mail == "smtp":
        sink = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
            [sys.executable, "-W", "ignore", __file__, "--smtp-sink", str(smtp_port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.5)
    backend = {
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    hostname = f"bench-{uuid.uuid4().hex[:6]}@%h"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": backend[args.mail],
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        # As in production: DEBUG off (no query log; CONN_MAX_AGE 60).
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "localhost",
        "PYTHONPATH": str(Path(__file__).resolve().parent),
    }
    command = [
        str(args.code / ".venv" / "bin" / "celery"),
        *("-A", "cqpt_portal", "worker", "--include", "worker_bench", "--queues", "celery"),
        *(f"--concurrency={args.concurrency}", "--pool=prefork", "--loglevel=WARNING"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat", "-n", hostname),
    ]
    log_path = workdir / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(command, cwd=args.code, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    node = hostname.replace("%h", socket.gethostname())

    def wait(predicate, what: str, timeout: float = 600, interval: float = 0.05) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert worker.poll() is None, f"the worker died:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}:\n{log_path.read_text()[-3000:]}"
            time.sleep(interval)

    def sent(reference: str) -> int:
        return Notification.objects.filter(reference=reference, state=NotificationState.SENT).count()

    def notify(count: int, reference: str) -> None:
        with transaction.atomic():
            for index in range(count):
                notification_create(
                    email=f"salarie{index}@bench.cqpt.invalid",
                    kind="test",
                    context={"message": f"Message {index} du banc d'essai."},
                    reference=reference,
                )

    def consume(queue: str) -> None:
        replies = app.control.add_consumer(queue, destination=[node], reply=True, timeout=5)
        assert replies, f"the worker did not answer add_consumer: {replies}"

    def stop_consuming(queue: str) -> None:
        app.control.cancel_consumer(queue, destination=[node], reply=True, timeout=5)

    def round_noop(count: int) -> float:
        key = f"bench-mark-{uuid.uuid4().hex}"
        with app.producer_or_acquire() as producer:
            for _index in range(count):
                noop.apply_async(queue=NOOP_QUEUE, producer=producer)
            mark.apply_async((redis_url, key), queue=NOOP_QUEUE, producer=producer)
        store = redis.Redis.from_url(redis_url)
        started = time.perf_counter()
        consume(NOOP_QUEUE)
        wait(lambda: store.exists(key), "the no-op tasks")
        elapsed = time.perf_counter() - started
        stop_consuming(NOOP_QUEUE)
        return elapsed

    def round_mail(count: int, reference: str) -> tuple[float, float]:
        """Seconds until every row says "sent", and until the queue is done (the tasks a batch made idle too)."""
        notify(count, reference)
        key = f"bench-mark-{uuid.uuid4().hex}"
        mark.apply_async((redis_url, key), queue=MAIL_QUEUE)
        store = redis.Redis.from_url(redis_url)
        assert store.llen(MAIL_QUEUE) == count + 1, f"{store.llen(MAIL_QUEUE)} tasks queued for {count} notifications"
        started = time.perf_counter()
        consume(MAIL_QUEUE)
        wait(lambda: sent(reference) == count, f"the {count} notifications to be sent")
        all_sent = time.perf_counter() - started
        wait(lambda: store.exists(key), "the notification tasks")
        drained = time.perf_counter() - started
        stop_consuming(MAIL_QUEUE)
        return all_sent, drained

    try:
        wait(lambda: _pinged(app, node), "the worker to start")
        # Warm-up: every process has run both tasks and opened its connections before the clock starts.
        round_noop(20 * args.concurrency)
        round_mail(20 * args.concurrency, "warm-up")
        print(
            f"{args.count} tasks per round, worker --concurrency={args.concurrency} (prefork), "
            f"mail: {'SMTP sink' if args.mail == 'smtp' else 'dummy backend'}, code: {args.code}",
            flush=True,
        )
        ratios = []
        for round_number in range(1, args.rounds + 1):
            noop_time = round_noop(args.count)
            mail_time, drained = round_mail(args.count, f"{REFERENCE}-{round_number}")
            noop_rate, mail_rate = args.count / noop_time, args.count / mail_time
            ratios.append(mail_rate / noop_rate)
            print(
                f"round {round_number}: no-op {noop_time:.2f} s ({noop_rate:.0f}/s), "
                f"notifications all sent {mail_time:.2f} s ({mail_rate:.0f}/s), ratio {mail_rate / noop_rate:.2f}×; "
                f"their queue done {drained:.2f} s, ratio {noop_time / drained:.2f}×",
                flush=True,
            )
        print(f"ratio (notifications/s ÷ no-op tasks/s), mean of {len(ratios)}: {sum(ratios) / len(ratios):.2f}×")
        unsent = Notification.objects.exclude(state=NotificationState.SENT).count()
        attempts = set(Notification.objects.values_list("attempts", flat=True))
        print(f"notifications not sent: {unsent}; attempts per notification: {sorted(attempts)}")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        if sink is not None:
            sink.terminate()
            messages, connections = sink.communicate(timeout=10)[0].split()
            print(f"SMTP sink: {messages} messages over {connections} connections")


def _pinged(app, node: str) -> bool:
    return bool(app.control.ping(destination=[node], timeout=0.5))


if __name__ == "__main__":
    main()
