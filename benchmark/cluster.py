"""The portal past one machine, on this one: two web instances behind a balancer, two
Celery workers and one beat, one Postgres (through PgBouncer) and one Redis.

``manage.py bench --cluster`` starts them all on loopback, each stopped by its own
PID, runs the load mix through the balancer and checks what a deployment relies on:

- sessions are valid on either instance (the same people's requests land on both);
- 0 errors and 0 lost orders (every order the balancer said was placed exists);
- every email sent exactly once with two workers competing (one message per
  outbox row, read back from the workers' mail files by Message-ID);
- a change made through one instance is seen through the other (the shared cache);
- the requests per second each instance served.

HAProxy and PgBouncer come from the distribution (``apt-get install haproxy
pgbouncer``); their configuration is written for the run under var/bench/cluster/.
"""

import email
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.urls import reverse

from notifications.models import Notification, NotificationStatus

from .load import (
    HOST,
    Client,
    Server,
    Stats,
    World,
    _run_phase,
    _summary,
    free_port,
    prepare,
    verify,
)


@dataclass
class Process:
    """A helper process of the run (balancer, pooler, worker, beat), stopped by its PID."""

    name: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_for_port(port: int, what: str, seconds: float = 20) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on {HOST}:{port} within {seconds:.0f} s")


def _pgbouncer(directory: Path, database_url: str, log) -> tuple[Process, str]:
    """PgBouncer in transaction mode in front of the bench database; returns its URL."""
    parts = urlparse(database_url)
    port = free_port()
    name = parts.path.lstrip("/")
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"{name} = host={parts.hostname} port={parts.port or 5432} dbname={name}\n"
        "[pgbouncer]\n"
        f"listen_addr = {HOST}\nlisten_port = {port}\n"
        "auth_type = trust\n"
        f"auth_file = {directory / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        "default_pool_size = 20\nmax_client_conn = 400\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    (directory / "userlist.txt").write_text(f'"{parts.username or "postgres"}" ""\n')
    command = ["pgbouncer", "-q", str(config)]  # -q: its log only on errors
    if os.geteuid() == 0:
        command += ["-u", "nobody"]  # it refuses to run as root
    # its log goes to its stderr, the run's
    process = subprocess.Popen(command)  # noqa: S603
    _wait_for_port(port, "pgbouncer")
    log(f"  PgBouncer (transaction pooling) on {HOST}:{port} (pid {process.pid})")
    url = urlunparse(parts._replace(netloc=f"{parts.username or 'postgres'}@{HOST}:{port}"))
    return Process("pgbouncer", process), url


def _haproxy(directory: Path, backends: list[int], log) -> tuple[Process, int, Path]:
    """HAProxy round-robin over the web instances; returns it, its port, its stats socket."""
    port = free_port()
    stats = directory / "haproxy.sock"
    config = directory / "haproxy.cfg"
    servers = "\n".join(
        f"    server web{i} {HOST}:{backend} check" for i, backend in enumerate(backends, 1)
    )
    config.write_text(
        "global\n"
        f"    stats socket {stats} mode 600 level admin\n"
        "    maxconn 2000\n"
        "defaults\n"
        "    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n"
        "frontend portal\n"
        f"    bind {HOST}:{port}\n"
        "    default_backend webs\n"
        "backend webs\n"
        "    balance roundrobin\n"
        f"{servers}\n"
    )
    process = subprocess.Popen(["haproxy", "-f", str(config), "-db"])  # noqa: S603, S607
    _wait_for_port(port, "haproxy")
    log(f"  HAProxy on {HOST}:{port} balancing {len(backends)} instances (pid {process.pid})")
    return Process("haproxy", process), port, stats


def _served_per_instance(stats: Path) -> dict[str, int]:
    """Requests each web instance served, from HAProxy's statistics."""
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(stats))
        sock.sendall(b"show stat\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    header = lines[0].lstrip("# ").split(",")
    served = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "webs" and row.get("svname", "").startswith("web"):
            served[row["svname"]] = int(row.get("stot") or 0)
    return served


def _celery(name: str, args: list[str], env: dict, directory: Path) -> Process:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "b2bportal",
        "--quiet",  # no banner: the run's own output stays readable
        *args,
        "--loglevel=WARNING",
        f"--logfile={directory / f'{name}.log'}",
    ]
    process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603
    return Process(name, process)


def _emails(mail_dir: Path, rows: set[str]) -> Counter:
    """How many times each of ``rows``' emails was written, by its Message-ID.

    The workers also send what the phases before the cluster left queued;
    only the rows written during the run are counted.
    """
    seen: Counter = Counter()
    for path in mail_dir.glob("*"):
        raw = path.read_text(errors="replace")
        # the file backend writes messages one after another, each ending in a line of dashes
        for chunk in raw.split("-" * 79):
            if "Message-ID:" not in chunk:
                continue
            message = email.message_from_string(chunk.strip())
            if message["Message-ID"] and message["X-Portal-Notification"] in rows:
                seen[message["Message-ID"]] += 1
    return seen


SELLER_COUNT = re.compile(r'id="seller-quotes-count">(\d+)<')


def _across_instances(servers: list[Server], world: World) -> dict:
    """Sessions valid on either instance; a change made through one seen through the other.

    The desk reads its dashboard through the first instance (the count of quotes
    waiting for the seller is then in the cache), a buyer asks for a quote through
    the second, and the desk reads the dashboard through the first again.
    """
    stats = Stats()
    buyer, desk = world.buyers[0], world.desk
    sessions = {
        f"web{i}": Client(server.port, buyer, stats).get(reverse("home"))
        for i, server in enumerate(servers, 1)
    }

    def seller_count() -> int | None:
        connection = http.client.HTTPConnection(HOST, servers[0].port, timeout=30)
        connection.request("GET", reverse("home"), headers=desk.headers)
        match = SELLER_COUNT.search(connection.getresponse().read().decode())
        connection.close()
        return int(match.group(1)) if match else None

    before = seller_count()
    sku = next(iter(world.prices))
    asked, _location = Client(servers[1].port, buyer, stats).post(
        reverse("quotations:create"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "100",
            "lines-0-sku": sku,
            "lines-0-quantity": "3",
            "lines-0-target_unit_price": "",
            "message": "Asked through the second instance.",
        },
    )
    after = seller_count()
    return {
        "session_valid_on": sessions,
        "desk_count_before": before,
        "quote_asked_through_web2": asked,
        "desk_count_after_on_web1": after,
        "change_seen": before is not None and asked and after == before + 1,
    }


def _drain_outbox(started_at, seconds: float = 120) -> dict:
    """Wait until every outbox row written during the run left ``pending``/``sending``."""
    rows = Notification.objects.filter(created_at__gte=started_at)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        waiting = rows.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
        ).count()
        if not waiting:
            break
        time.sleep(1)
    return {
        "rows": rows.count(),
        "sent": rows.filter(status=NotificationStatus.SENT).count(),
        "inbox_only": rows.filter(status=NotificationStatus.INBOX_ONLY).count(),
        "failed": rows.filter(status=NotificationStatus.FAILED).count(),
        "still_waiting": rows.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING]
        ).count(),
    }


def run(
    *,
    seconds: float,
    users: int,
    workers: int,
    env: dict[str, str],
    database_url: str,
    broker_url: str,
    cache_url: str,
    log=print,
) -> dict:
    """Start the cluster, run the mix through the balancer, check it, stop it all."""
    from django.utils import timezone

    directory = Path(settings.BASE_DIR) / "var" / "bench" / "cluster"
    shutil.rmtree(directory, ignore_errors=True)
    mail_dir = directory / "mail"
    mail_dir.mkdir(parents=True)
    world = prepare()
    started_at = timezone.now()
    processes: list[Process] = []
    servers: list[Server] = []
    try:
        pooler, pooled_url = _pgbouncer(directory, database_url, log)
        processes.append(pooler)
        shared = {
            **env,
            "DATABASE_URL": pooled_url,
            "DATABASE_POOLER": "transaction",
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": cache_url,
            # an absolute path: filemail:// + / + /abs/dir
            "EMAIL_URL": f"filemail:///{mail_dir}",
        }
        for i in (1, 2):
            servers.append(
                Server.start(
                    workers=workers,
                    env={**shared, "INSTANCE": f"web{i}"},
                    pidfile=str(directory / f"web{i}.pid"),
                    log=log,
                )
            )
        balancer, port, stats_socket = _haproxy(directory, [s.port for s in servers], log)
        processes.append(balancer)
        for i in (1, 2):
            processes.append(
                _celery(
                    f"worker{i}", ["worker", "-c", "2", "-n", f"worker{i}@%h"], shared, directory
                )
            )
        processes.append(
            _celery(
                "beat", ["beat", f"--schedule={directory / 'beat-schedule'}"], shared, directory
            )
        )
        log("  2 Celery workers and 1 beat started")
        _run_phase(port=port, world=world, mix=False, seconds=2, users=users)  # warm up
        baseline = [_run_phase(port=port, world=world, mix=False, seconds=seconds / 2, users=users)]
        mix = [_run_phase(port=port, world=world, mix=True, seconds=seconds / 2, users=users)]
        served = _served_per_instance(stats_socket)
        across = _across_instances(servers, world)
        outbox = _drain_outbox(started_at)
        written = Notification.objects.filter(created_at__gte=started_at)
        emails = _emails(mail_dir, {str(pk) for pk in written.values_list("pk", flat=True)})
    finally:
        for process in reversed(processes):
            process.stop()
        for server in servers:
            server.stop()
    mix_summary, base_summary = _summary(mix), _summary(baseline)
    placed = [p for s in mix for p in s.placed]
    elapsed = sum(s.elapsed for s in baseline + mix) + 2
    return {
        "instances": 2,
        "workers_per_instance": workers,
        "celery_workers": 2,
        "baseline": base_summary,
        "mix": {**mix_summary, "orders_placed": len(placed)},
        "ratio_to_baseline": round(
            mix_summary["throughput_rps"] / base_summary["throughput_rps"], 2
        )
        if base_summary["throughput_rps"]
        else 0.0,
        "served_per_instance": served,
        "requests_per_second_per_instance": {
            name: round(count / elapsed, 1) for name, count in served.items()
        },
        "verification": verify(placed),
        "outbox": outbox,
        "emails": {
            "messages": sum(emails.values()),
            "distinct": len(emails),
            "sent_more_than_once": sum(1 for n in emails.values() if n > 1),
        },
        "across_instances": across,
    }
