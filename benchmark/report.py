"""The benchmark's tables, its JSON under var/bench/, and the targets checked."""

import json
from pathlib import Path

from django.conf import settings

SCALE_ORDER = ["tiny", "small", "medium", "large"]
PAGE_RATIO_TARGET = 5.0
ORDER_RATIO_TARGET = 5.0
APPROVE_RATIO_TARGET = 5.0
ORDER_QUERY_TARGET = 15
LOAD_RATIO_TARGET = 0.25
LOAD_P99_TARGET_MS = 150


def output_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "bench"


def write(result: dict, directory: Path | None = None) -> Path:
    directory = directory or output_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{result['scale']}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def load_all(directory: Path | None = None) -> dict[str, dict]:
    directory = directory or output_dir()
    results = {}
    for scale in SCALE_ORDER:
        path = directory / f"{scale}.json"
        if path.exists():
            results[scale] = json.loads(path.read_text(encoding="utf-8"))
    return results


def _table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        ),
        "  ".join("-" * w for w in widths),
    ]
    for row in cells:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def inprocess_table(result: dict) -> str:
    rows = [
        [
            row["name"],
            f"{row['median_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row.get('db_ms', 0):.1f}",
            row["queries"],
            f"{row['ratio']:.1f}x",
            row["errors"],
        ]
        for row in result["inprocess"]["rows"]
    ]
    return _table(
        ["in-process", "median ms", "p95 ms", "in DB ms", "queries", "x baseline", "errors"], rows
    )


def load_table(result: dict) -> str:
    load = result["load"]
    rows = []
    for name in ("baseline", "mix"):
        part = load[name]
        rows.append(
            [
                name,
                part["requests"],
                f"{part['throughput_rps']:.0f}",
                f"{part['p50_ms']:.1f}",
                f"{part['p95_ms']:.1f}",
                f"{part['p99_ms']:.1f}",
                part["errors"],
            ]
        )
    table = _table(["over HTTP", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
    mix = load["mix"]
    check = load["verification"]
    return (
        f"{table}\n"
        f"mix/baseline throughput {load['ratio_to_baseline']:.2f}; "
        f"{mix['orders_placed']} orders placed ({mix['orders_per_second']:.1f}/s), "
        f"{mix['approvals']} approvals, {mix['quote_messages']} quote messages; "
        f"checked {check['checked']} orders: {check['missing']} missing, "
        f"{check['wrong_total']} with a wrong total "
        f"({load['workers']} gunicorn workers, {load['users']} concurrent people)"
    )


def growth_table(results: dict[str, dict]) -> str:
    scales = [s for s in SCALE_ORDER if s in results and "inprocess" in results[s]]
    if not scales:
        return ""
    names = [row["name"] for row in results[scales[-1]]["inprocess"]["rows"]]
    rows = []
    for name in names:
        row = [name]
        for scale in scales:
            match = next(
                (r for r in results[scale]["inprocess"]["rows"] if r["name"] == name), None
            )
            row.append(f"{match['median_ms']:.1f} / {match['queries']}" if match else "-")
        rows.append(row)
    return _table(["growth: median ms / queries", *scales], rows)


def targets(results: dict[str, dict], scale: str) -> list[tuple[str, bool, str]]:
    """Each target of the issue, whether this run meets it, and the figure behind it."""
    result = results[scale]
    checks = []
    scales = [s for s in SCALE_ORDER if s in results and "inprocess" in results[s]]
    for row in result["inprocess"]["rows"]:
        if row["kind"] != "page":
            continue
        counts = {
            s: next(
                (r["queries"] for r in results[s]["inprocess"]["rows"] if r["name"] == row["name"]),
                None,
            )
            for s in scales
        }
        constant = len({c for c in counts.values() if c is not None}) == 1
        checks.append((f"{row['name']}: constant queries across scales", constant, str(counts)))
        checks.append(
            (
                f"{row['name']}: median within {PAGE_RATIO_TARGET:.0f}x baseline",
                row["ratio"] <= PAGE_RATIO_TARGET,
                f"{row['ratio']:.1f}x",
            )
        )
    order = next(r for r in result["inprocess"]["rows"] if r["name"].startswith("place"))
    checks.append(
        (
            f"placing a 10-line order: within {ORDER_RATIO_TARGET:.0f}x baseline",
            order["ratio"] <= ORDER_RATIO_TARGET,
            f"{order['ratio']:.1f}x",
        )
    )
    checks.append(
        (
            f"placing a 10-line order: at most {ORDER_QUERY_TARGET} queries",
            order["queries"] <= ORDER_QUERY_TARGET,
            str(order["queries"]),
        )
    )
    approve = next((r for r in result["inprocess"]["rows"] if r["name"] == "approve"), None)
    if approve:
        checks.append(
            (
                f"approving: within {APPROVE_RATIO_TARGET:.0f}x baseline",
                approve["ratio"] <= APPROVE_RATIO_TARGET,
                f"{approve['ratio']:.1f}x",
            )
        )
    if "load" in result:
        load = result["load"]
        checks.append(("load: zero errors", load["mix"]["errors"] == 0, str(load["mix"]["errors"])))
        lost = load["verification"]["missing"] + load["verification"]["wrong_total"]
        checks.append(("load: zero lost orders", lost == 0, str(lost)))
        checks.append(
            (
                f"load: mix throughput at least {LOAD_RATIO_TARGET:.2f} of the baseline's",
                load["ratio_to_baseline"] >= LOAD_RATIO_TARGET,
                f"{load['ratio_to_baseline']:.2f}",
            )
        )
        checks.append(
            (
                f"load: mix p99 at most {LOAD_P99_TARGET_MS} ms",
                load["mix"]["p99_ms"] <= LOAD_P99_TARGET_MS,
                f"{load['mix']['p99_ms']:.0f} ms",
            )
        )
    if "cluster" in result:
        checks += cluster_checks(result["cluster"])
    return checks


def cluster_checks(run: dict) -> list[tuple[str, bool, str]]:
    """What the replicated run must show (``benchmark.cluster``)."""
    lost = run["verification"]["missing"] + run["verification"]["wrong_total"]
    emails, outbox = run["emails"], run["outbox"]
    across = run["across_instances"]
    served = run["served_per_instance"]
    return [
        ("cluster: zero errors", run["mix"]["errors"] == 0, str(run["mix"]["errors"])),
        ("cluster: zero lost orders", lost == 0, str(lost)),
        (
            "cluster: both instances served the mix",
            len(served) == 2 and all(served.values()),
            str(served),
        ),
        (
            "cluster: a session is valid on either instance",
            all(across["session_valid_on"].values()),
            str(across["session_valid_on"]),
        ),
        (
            "cluster: a change through one instance is seen through the other",
            bool(across["change_seen"]),
            f"{across['desk_count_before']} -> {across['desk_count_after_on_web1']}",
        ),
        (
            "cluster: every email sent, exactly once, by two competing workers",
            outbox["still_waiting"] == 0
            and outbox["failed"] == 0
            and emails["sent_more_than_once"] == 0
            and emails["distinct"] == outbox["sent"],
            f"{outbox['sent']} sent, {emails['messages']} written "
            f"({emails['distinct']} distinct), {outbox['still_waiting']} waiting",
        ),
    ]


def cluster_table(run: dict) -> str:
    rows = []
    for name in ("baseline", "mix"):
        part = run[name]
        rows.append(
            [
                name,
                part["requests"],
                f"{part['throughput_rps']:.0f}",
                f"{part['p50_ms']:.1f}",
                f"{part['p99_ms']:.1f}",
                part["errors"],
            ]
        )
    table = _table(["through HAProxy", "requests", "req/s", "p50 ms", "p99 ms", "errors"], rows)
    per = ", ".join(
        f"{k} {v:.0f} req/s" for k, v in run["requests_per_second_per_instance"].items()
    )
    return (
        f"{table}\n"
        f"mix/baseline throughput {run['ratio_to_baseline']:.2f}; per instance: {per} "
        f"({run['instances']} instances x {run['workers_per_instance']} workers, "
        f"{run['celery_workers']} Celery workers, PgBouncer in transaction mode)"
    )


def render(results: dict[str, dict], scale: str) -> str:
    result = results[scale]
    parts = [f"Benchmark at scale {scale} ({result.get('dataset', {})})"]
    if "rows" in result.get("data", {}):
        data = result["data"]
        parts.append(
            f"data: {sum(data['rows'].values()):,} rows loaded in {data['total_seconds']:.0f} s "
            f"(generate {data['generate_seconds']:.0f}, copy {data['copy_seconds']:.0f}, "
            f"indexes {data['index_seconds']:.0f}, analyze {data['analyze_seconds']:.0f})"
        )
    parts.append(inprocess_table(result))
    if "load" in result:
        parts.append(load_table(result))
    if "cluster" in result:
        parts.append(cluster_table(result["cluster"]))
    growth = growth_table(results)
    if growth:
        parts.append(growth)
    lines = [
        f"  [{'ok' if ok else 'MISSED'}] {label}: {figure}"
        for label, ok, figure in targets(results, scale)
    ]
    parts.append("targets:\n" + "\n".join(lines))
    return "\n\n".join(parts)
