"""``make bench``: the portal at scale, set against the bare-Django baseline.

Run from the developer's shell, the command picks a Postgres database of its
own (``b2bportal_bench_<scale>``, or ``BENCH_DATABASE_URL``), creates it if
needed, and runs itself again inside it with the production settings (DEBUG
off; plain HTTP on loopback, so the TLS redirect and secure cookies off) and
BENCHMARK on, which routes the baseline view for it and for its gunicorn. The
developer's own database is never touched.
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlparse, urlunparse

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from benchmark import cluster, data, inprocess, load, report
from benchmark.net import reachable

DB_PREFIX = "b2bportal_bench_"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
DEFAULT_CACHE = "redis://127.0.0.1:6379/11"
DEFAULTS = {
    # scale: (requests per in-process row, seconds of load)
    "tiny": (5, 4),
    "small": (60, 20),
    "medium": (60, 20),
    "large": (60, 30),
}


def bench_database_url(scale: str) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = DEFAULT_SERVER
    return urlunparse(urlparse(base)._replace(path=f"/{DB_PREFIX}{scale}"))


def _admin_connection(url: str):
    parts = urlparse(url)
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def _marker(scale: str) -> str:
    return f"b2bportal bench scale={scale}"


class Command(BaseCommand):
    help = "Benchmark pages and actions at scale against a bare view; see the README."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(data.SCALES), default="small")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Keep the bench database of this scale if it is loaded, instead of reloading.",
        )
        parser.add_argument("--skip-load", action="store_true", help="No HTTP load phase.")
        parser.add_argument("--duration", type=float, help="Seconds of HTTP load in all.")
        parser.add_argument("--requests", type=int, help="Timed requests per in-process row.")
        parser.add_argument("--users", type=int, default=8, help="Concurrent people under load.")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
        parser.add_argument(
            "--cluster",
            action="store_true",
            help="Also run the mix through two instances behind HAProxy, PgBouncer in "
            "transaction mode, two Celery workers and a beat (see docs/scaling.md).",
        )
        parser.add_argument("--inside", action="store_true", help="(internal) run in the bench DB.")

    def handle(self, *args, **options):
        if options["inside"]:
            return self.run_inside(options)
        return self.run_outside(options)

    # In the developer's environment: pick the database, then run inside it.
    def run_outside(self, options):
        scale = options["scale"]
        url = bench_database_url(scale)
        name = urlparse(url).path.lstrip("/")
        if not name.startswith(DB_PREFIX):
            raise CommandError(f"The bench database must be named {DB_PREFIX}<scale>, not {name}.")
        admin = _admin_connection(url)
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            )
            found = cursor.fetchone()
            reuse = options["reuse"] and found is not None and found[0] == _marker(scale)
            if not reuse:
                if found is not None:
                    self.stdout.write(f"Dropping {name} to load it afresh.")
                    cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "False",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "False",
            "SESSION_COOKIE_SECURE": "False",
            "CSRF_COOKIE_SECURE": "False",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
            "BENCHMARK": "True",
            "BENCH_REUSED": "1" if reuse else "",
        }
        if reachable(broker):
            # As in production: requests only queue their emails.
            env["CELERY_BROKER_URL"] = broker
        else:
            self.stdout.write(f"No broker at {broker}: emails are sent inside the requests.")
            env["CELERY_BROKER_URL"] = ""
            env["EMAIL_URL"] = "dummymail://"
        command = [sys.executable, "manage.py", "bench", "--inside", "--scale", scale]
        for option in ("duration", "requests"):
            if options[option] is not None:
                command += [f"--{option}", str(options[option])]
        command += ["--users", str(options["users"]), "--workers", str(options["workers"])]
        if options["skip_load"]:
            command.append("--skip-load")
        if options["cluster"]:
            missing = [tool for tool in ("haproxy", "pgbouncer") if not shutil.which(tool)]
            if missing:
                raise CommandError(
                    f"The cluster run needs {' and '.join(missing)}: "
                    f"apt-get install {' '.join(missing)}"
                )
            if not reachable(broker):
                raise CommandError(f"The cluster run needs Redis at {broker}.")
            command.append("--cluster")
        result = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)
        if result.returncode:
            raise CommandError(f"The benchmark failed (exit {result.returncode}).")
        if not reuse:
            admin = _admin_connection(url)
            with admin.cursor() as cursor:
                cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{_marker(scale)}'")
            admin.close()

    # Inside the bench database, with the production settings.
    def run_inside(self, options):
        if not settings.BENCHMARK:
            raise CommandError("BENCHMARK is off: the baseline view is not routed.")
        name = connection.settings_dict["NAME"]
        if not str(name).startswith(DB_PREFIX):
            raise CommandError(f"Refusing to run in {name}: not a bench database.")
        scale = data.SCALES[options["scale"]]
        requests, duration = DEFAULTS[scale.name]
        requests = options["requests"] or requests
        duration = options["duration"] or duration
        say = self.stdout.write
        started = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        result = {
            "scale": scale.name,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "broker": bool(settings.CELERY_BROKER_URL),
        }
        if os.environ.get("BENCH_REUSED"):
            say(f"Reusing {name}.")
            result["data"] = {"reused": True}
            previous = report.load_all().get(scale.name, {}).get("data")
            if previous and not previous.get("reused"):
                result["data"] = {**previous, "reused": True}
            with connection.cursor() as cursor:
                # A migration may have added columns or indexes.
                cursor.execute("VACUUM (ANALYZE)")
        else:
            say(f"Loading scale {scale.name} into {name} ...")
            result["data"] = data.load(scale, log=say).as_dict()
            say(f"  loaded in {result['data']['total_seconds']:.0f} s")
        result["dataset"] = data.describe(scale)
        say(f"In-process: {requests} requests per row, interleaved with the baseline ...")
        result["inprocess"] = inprocess.measure(requests=requests, log=say)
        if not options["skip_load"]:
            say(f"Over HTTP: {duration:.0f} s, baseline and mix alternating ...")
            pidfile = str(report.output_dir() / f"gunicorn-{scale.name}.pid")
            report.output_dir().mkdir(parents=True, exist_ok=True)
            result["load"] = load.run(
                seconds=duration,
                users=options["users"],
                workers=options["workers"],
                env={**os.environ, "BENCHMARK": "True"},
                pidfile=pidfile,
                log=say,
            )
        if options["cluster"]:
            say("Past one machine: 2 instances behind HAProxy, 2 workers, 1 beat ...")
            result["cluster"] = cluster.run(
                seconds=duration,
                users=options["users"],
                workers=max(1, options["workers"] // 2),
                env={**os.environ, "BENCHMARK": "True"},
                database_url=os.environ["DATABASE_URL"],
                broker_url=settings.CELERY_BROKER_URL,
                cache_url=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE),
                log=say,
            )
        if settings.CELERY_BROKER_URL:
            from celery import current_app

            current_app.control.purge()  # the emails queued by the run: nobody reads them
        path = report.write(result)
        say("")
        say(report.render(report.load_all(), scale.name))
        elapsed = time.perf_counter() - started
        say(f"\nWritten to {path.relative_to(settings.BASE_DIR)} in {elapsed:.0f} s.")
