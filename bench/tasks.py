"""HTTP benchmark of the task flow (not a test). Prints p50/p99 per request kind.

    python bench/tasks.py                  # SQLite in a temporary directory
    python bench/tasks.py --quick          # fewer rounds, a few seconds
    GRIDGOV_DATABASE_URL=postgres://u:p@127.0.0.1:5432/anything python bench/tasks.py
                                           # PostgreSQL: a throwaway database gg_bench_<pid> is created and dropped

Starts a production-style server (gunicorn, gthread workers) on loopback, then ``--clients`` (50) concurrent
grid workers, each with its own API token and keep-alive connection, repeat: list the task square
(GET /api/v1/tasks), claim a place (POST /tasks/{id}/claim), submit text evidence (POST /claims/{id}/submit).
Goal: p99 < 100 ms for each kind.
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--rounds", type=int, default=20, help="list+claim+submit rounds per client (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (default 8)")
    parser.add_argument("--quick", action="store_true", help="5 rounds per client")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 5
    return args


def throwaway_database() -> tuple[str, callable]:
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    os.environ["GRIDGOV_DATA_DIR"] = tempfile.mkdtemp(prefix="gg-bench-tasks-")
    if url.startswith("postgres"):
        import psycopg

        base, _slash, _name = url.rpartition("/")
        name = f"gg_bench_{os.getpid()}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["GRIDGOV_DATABASE_URL"] = f"{base}/{name}"

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return f"PostgreSQL {name}", lambda: (drop(), shutil.rmtree(os.environ["GRIDGOV_DATA_DIR"], ignore_errors=True))
    os.environ.pop("GRIDGOV_DATABASE_URL", None)
    directory = os.environ["GRIDGOV_DATA_DIR"]
    return f"SQLite {directory}", lambda: shutil.rmtree(directory, ignore_errors=True)


def prepare(clients: int, rounds: int) -> list[str]:
    """A street with a community and grids, one worker per client (with a token), and enough open tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    from gridgov.orgs import services as orgs
    from gridgov.orgs.models import NodeKind, Role
    from gridgov.orgs.permissions import SYSTEM
    from gridgov.tasks import services
    from gridgov.tasks.models import WorkType

    street = orgs.node_create(actor=SYSTEM, parent=None, kind=NodeKind.STREET, code="B", name="基准街道")
    community = orgs.node_create(actor=SYSTEM, parent=street, kind=NodeKind.COMMUNITY, code="BC", name="基准社区")
    grids = [orgs.node_create(actor=SYSTEM, parent=community, kind=NodeKind.GRID, code=f"BG{g}", name=f"网格{g}")
             for g in range(8)]
    cadre = orgs.person_create(actor=SYSTEM, name="干部", node=community, role=Role.COMMUNITY_CADRE)
    work_type = WorkType.objects.get(name="消防安全")
    deadline = timezone.now() + timedelta(days=7)
    for number in range(rounds + 10):
        services.task_publish(actor=cadre, node=community, title=f"基准任务{number}", work_type=work_type, points=10,
                              places=clients, deadline=deadline, requires_photo=False)
    secrets = []
    for number in range(clients):
        worker = orgs.person_create(actor=SYSTEM, name=f"网格员{number}", node=grids[number % len(grids)],
                                    role=Role.GRID_WORKER)
        secrets.append(orgs.api_token_create(actor=worker)[1])
    from django.db import connections

    connections.close_all()
    return secrets


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "gridgov.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
               "-k", "gthread", "--threads", str(threads), "--keep-alive", "30", "--preload", "--log-level", "warning"]
    server = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, stderr=subprocess.DEVNULL)
    for _attempt in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit("the server did not start")


def multipart(fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def client(port: int, secret: str, rounds: int, timings: dict, errors: list, start: threading.Barrier):
    import json

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    auth = {"Authorization": f"Bearer {secret}"}

    def call(kind, method, path, body=None, headers=None):
        started = time.perf_counter()
        connection.request(method, path, body=body, headers={**auth, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        timings[kind].append(time.perf_counter() - started)
        if response.status >= 400:
            errors.append(f"{kind} {response.status} {data[:120]!r}")
            return None
        return json.loads(data)

    claimed = set()
    connection.request("GET", "/api/v1/tasks?limit=1", headers=auth)  # warm-up, not timed
    connection.getresponse().read()
    start.wait()
    for _round in range(rounds):
        tasks = [task for task in call("list", "GET", "/api/v1/tasks?limit=50") or [] if task["id"] not in claimed]
        if not tasks:
            continue
        claimed.add(tasks[0]["id"])
        claim = call("claim", "POST", f"/api/v1/tasks/{tasks[0]['id']}/claim")
        if claim is None:
            continue
        body, content_type = multipart({"text": "巡查完成，情况正常"})
        call("submit", "POST", f"/api/v1/claims/{claim['id']}/submit", body=body,
             headers={"Content-Type": content_type})
    connection.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    args = parse_args()
    where, cleanup = throwaway_database()
    server = None
    try:
        secrets = prepare(args.clients, args.rounds)
        port = free_port()
        server = start_server(port, args.workers, args.threads)
        timings = {"list": [], "claim": [], "submit": []}
        errors: list[str] = []
        start = threading.Barrier(args.clients)
        threads = [threading.Thread(target=client, args=(port, secret, args.rounds, timings, errors, start))
                   for secret in secrets]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        total = sum(len(values) for values in timings.values())
        print(f"gridgov task flow over HTTP · {where} · gunicorn {args.workers}x{args.threads} · "
              f"{args.clients} clients · {total} requests in {elapsed:.1f} s ({total / elapsed:.0f}/s)")
        print(f"{'request':<10}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}  goal p99 < 100 ms")
        for kind, values in timings.items():
            if not values:
                print(f"{kind:<10}{0:>8}")
                continue
            p99 = percentile(values, 0.99) * 1000
            print(f"{kind:<10}{len(values):>8}{percentile(values, 0.5) * 1000:>10.1f}{p99:>10.1f}"
                  f"{statistics.mean(values) * 1000:>10.1f}  {'ok' if p99 < 100 else 'MISSED'}")
        if errors:
            print(f"{len(errors)} refused or failed requests, e.g. {errors[0]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        cleanup()


if __name__ == "__main__":
    main()
