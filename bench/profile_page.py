#!/usr/bin/env python
"""Where a page's time goes: N requests through the whole WSGI stack, in-process, under production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cqpt_bench_1k \
        .venv/bin/python bench/profile_page.py auvicom@demo.cqpt.fr /candidature/auvicom/ [-n 200] [--top 40]

It logs the account in (force_login and, for staff, a verified second factor), warms the page up, then runs
it N times under cProfile and prints the functions with the largest cumulative and own times, the mean time
per request and the SQL queries of one request. Use it to find what stands between a page and 0.8x (b).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("RATELIMIT_ENABLE", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "bench-static"))

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def client_for(email: str) -> Client:
    from django_otp.plugins.otp_static.models import StaticDevice

    from cqpt_portal.accounts.models import User

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT_LANGUAGE="fr")
    if email == "public":
        return client
    user = User.objects.get(email=email)
    client.force_login(user)
    if user.needs_second_factor:
        device, _created = StaticDevice.objects.get_or_create(user=user, name="bench")
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("account")
    parser.add_argument("path")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    client = client_for(args.account)
    for _ in range(5):
        response = client.get(args.path, secure=True)
    if response.status_code != 200:
        sys.exit(f"{args.path} answers {response.status_code}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(args.path, secure=True)
    cpu_begin = time.process_time()
    for _ in range(args.n):
        client.get(args.path, secure=True)
    cpu = (time.process_time() - cpu_begin) / args.n * 1000
    profiler = cProfile.Profile()
    begin = time.perf_counter()
    profiler.enable()
    for _ in range(args.n):
        client.get(args.path, secure=True)
    profiler.disable()
    elapsed = (time.perf_counter() - begin) / args.n * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top // 2)
    stats.sort_stats("cumulative").print_stats(r"^(?!.*(\.venv|python3)).*\.py", args.top // 2)  # our own code
    print(out.getvalue())
    print(f"{len(queries.captured_queries)} queries, {len(response.content)} bytes")
    for query in queries.captured_queries:
        print("  ", query["time"], query["sql"][:160])
    print(f"{elapsed:.1f} ms per request under the profiler ({args.n} requests)")
    print(f"{cpu:.1f} ms of CPU per request without the profiler (this process: Django, not PostgreSQL)")


if __name__ == "__main__":
    main()
