"""bench/ws_fanout.py's output: the table of every side's figures, and the summary line of
each round (the project's figures beside its own baseline's) with each ratio's median over
rounds."""

from __future__ import annotations

import math
import statistics
from typing import Any

COLUMNS = [
    ("round", "round", "{}"),
    ("side", "side", "{}"),
    ("followers", "followers", "{}"),
    ("unconnected", "unconnected", "{}"),
    ("updates", "updates", "{}"),
    ("failed", "failed", "{}"),
    ("deliveries", "deliveries", "{}"),
    ("lost", "lost", "{}"),
    ("seq gaps", "seq_gaps", "{}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("max ms", "max_ms", "{:.1f}"),
    ("CPU s", "cpu_s", "{:.2f}"),
    ("µs/delivery", "cpu_us_per_delivery", "{:.1f}"),
    ("REST CPU s", "rest_cpu_s", "{:.2f}"),
    ("fan-out CPU s", "fan_out_cpu_s", "{:.2f}"),
    ("fan-out µs", "fan_out_us_per_delivery", "{:.1f}"),
    ("RSS MiB", "rss_mib", "{:.0f}"),
    ("KiB/follower", "kib_per_follower", "{:.1f}"),
    ("REST p95 ms", "rest_p95_ms", "{:.1f}"),
    ("quiet p95 ms", "quiet_rest_p95_ms", "{:.1f}"),
    ("p95 near/far ms", "rest_p95_split", "{}"),
    ("threads", "threads", "{}"),
    ("per worker", "per_worker", "{}"),
    ("connect s", "connect_s", "{:.1f}"),
    ("connect CPU ms", "connect_cpu_ms", "{:.2f}"),
    ("REST p95 connecting", "connect_rest_p95_ms", "{:.1f}"),
    ("client CPU s", "client_cpu_s", "{:.1f}"),
    ("load", "load", "{:.1f}"),
]


def _cell(row: dict[str, Any], key: str, fmt: str) -> str:
    if key == "per_worker":
        return "/".join(map(str, row[key])) or "-"
    if key == "rest_p95_split":
        return f"{row['rest_p95_near_ms']:.1f}/{row['rest_p95_far_ms']:.1f} ({row['probes_near']})"
    return fmt.format(row[key])


def table(rows: list[dict[str, Any]]) -> str:
    cells = [[_cell(row, key, fmt) for _, key, fmt in COLUMNS] for row in rows]
    widths = [
        max(len(title), *(len(c[i]) for c in cells)) for i, (title, _, _) in enumerate(COLUMNS)
    ]
    lines = [" | ".join(title.rjust(w) for (title, _, _), w in zip(COLUMNS, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def quotient(a: float, b: float) -> float:
    """a / b; NaN where the baseline measured nothing (too few followers for a CPU tick)."""
    return a / b if b > 0 and not math.isnan(a) else math.nan


def ratio(a: float, b: float) -> str:
    q = quotient(a, b)
    return "n/a" if math.isnan(q) else f"{q:.2f}x"


def median_ratio(values: list[float]) -> str:
    """The median of the rounds' ratios that could be taken, or n/a."""
    known = [v for v in values if not math.isnan(v)]
    return f"{statistics.median(known):.2f}x" if known else "n/a"


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Per follower count and round: the project against the baseline, as the goals state
    them; with several rounds, the median of each ratio over the rounds. The project's server
    CPU per delivery is its follower-serving threads' CPU (`fan_out_cpu_s`: the hub, the Redis
    listener and the handler pool, read per thread), against the baseline processes' whole
    CPU. Beside it, as before, the processes' whole CPU less the REST updates' own cost
    (gunicorn's CPU in the baseline side, where it served the same updates and probes but no
    follower): a difference of two large figures, which moves by tens of percent between
    rounds."""
    lines = []
    medians: dict[int, list[tuple[float, float, float, float, float]]] = {}
    for project in (r for r in rows if r["side"] == "project"):
        base = next(r for r in rows if r["side"] == "baseline"
                    and r["followers"] == project["followers"]
                    and r.get("round") == project.get("round"))  # fmt: skip
        net_us = 1e6 * (project["cpu_s"] - base["rest_cpu_s"]) / max(1, project["deliveries"])
        threads_us = project.get("fan_out_us_per_delivery", math.nan)
        base_us = base["cpu_us_per_delivery"]
        medians.setdefault(project["followers"], []).append((
            quotient(project["p99_ms"], base["p99_ms"]),
            quotient(threads_us, base_us),
            quotient(project["rest_p95_ms"], base["rest_p95_ms"]),
            quotient(net_us, base_us),
            quotient(project.get("connect_cpu_ms", math.nan), base.get("connect_cpu_ms", math.nan)),
        ))  # fmt: skip
        lines.append(
            f"{project['followers']} followers, round {project.get('round', 1)}: p99 "
            f"{project['p99_ms']:.1f} vs "
            f"{base['p99_ms']:.1f} ms = {ratio(project['p99_ms'], base['p99_ms'])}; server CPU "
            f"per delivery {threads_us:.1f} µs in the fan-out threads vs {base_us:.1f} µs = "
            f"{ratio(threads_us, base_us)} (whole processes less the REST updates {net_us:.1f} "
            f"µs = {ratio(net_us, base_us)}; with the REST updates "
            f"{project['cpu_us_per_delivery']:.1f} µs); memory "
            f"{project['kib_per_follower'] / 1024:.3f} MiB per follower (baseline "
            f"{base['kib_per_follower'] / 1024:.3f}); REST p95 {project['rest_p95_ms']:.1f} ms "
            f"with the followers vs {base['rest_p95_ms']:.1f} ms with nobody following = "
            f"{ratio(project['rest_p95_ms'], base['rest_p95_ms'])}; lost {project['lost']}, "
            f"seq gaps {project['seq_gaps']}{_connecting(project, base)}"
        )  # fmt: skip
    for followers, found in medians.items():
        if len(found) > 1:
            p99, cpu, rest, net, connect = (median_ratio(list(c)) for c in zip(*found, strict=True))
            lines.append(
                f"{followers} followers, median of {len(found)} rounds: p99 {p99}, server "
                f"CPU per delivery {cpu} (less the REST updates {net}), REST p95 {rest}, "
                f"server CPU per connection {connect}"
            )
    return lines


def _connecting(project: dict[str, Any], base: dict[str, Any]) -> str:
    """The crowd connecting: how long it took, and the serving processes' CPU per follower
    meanwhile (the handshake, the channel's checks, the hand-off to the hub)."""
    if "connect_cpu_ms" not in project or "connect_cpu_ms" not in base:
        return ""
    return (
        f"; connecting {project['connect_s']:.1f} s vs {base['connect_s']:.1f} s, server CPU "
        f"{project['connect_cpu_ms']:.2f} ms vs {base['connect_cpu_ms']:.2f} ms per connection"
        f" = {ratio(project['connect_cpu_ms'], base['connect_cpu_ms'])}"
    )
