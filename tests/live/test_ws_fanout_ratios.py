"""bench/ws_fanout.py's summary: one line per round, and each ratio's median over rounds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("ws_fanout", ROOT / "bench" / "ws_fanout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _side(
    side: str, round_: int, p99: float, rest: float, cpu_s: float, fan_out_us: float = 10.0
) -> dict[str, Any]:
    return {
        "side": side, "round": round_, "followers": 1000, "p99_ms": p99, "rest_p95_ms": rest,
        "cpu_s": cpu_s, "rest_cpu_s": 1.0, "deliveries": 1000, "cpu_us_per_delivery": 20.0,
        "fan_out_us_per_delivery": fan_out_us if side == "project" else float("nan"),
        "kib_per_follower": 16.0, "lost": 0, "seq_gaps": 0,
    }  # fmt: skip


def test_each_round_is_compared_with_its_own_baseline_and_the_medians_are_printed() -> None:
    rows = [
        _side("project", 1, 80.0, 20.0, 1.02),
        _side("baseline", 1, 50.0, 10.0, 0.02),
        _side("baseline", 2, 50.0, 10.0, 0.02),
        _side("project", 2, 50.0, 11.0, 1.02),
        _side("project", 3, 55.0, 12.0, 1.02),
        _side("baseline", 3, 50.0, 10.0, 0.02),
    ]
    lines = _bench().ratios(rows)
    assert [line.split(":")[0] for line in lines] == [
        "1000 followers, round 1",
        "1000 followers, round 2",
        "1000 followers, round 3",
        "1000 followers, median of 3 rounds",
    ]
    assert "p99 80.0 vs 50.0 ms = 1.60x" in lines[0]
    # p99 ratios 1.6, 1.0, 1.1; REST 2.0, 1.1, 1.2; the fan-out threads' CPU per delivery 10 µs
    # vs 20 µs each round; the whole processes less the REST updates 20 µs vs 20 µs
    assert "server CPU per delivery 10.0 µs in the fan-out threads vs 20.0 µs = 0.50x" in lines[0]
    assert "(whole processes less the REST updates 20.0 µs = 1.00x;" in lines[0]
    assert lines[3].endswith(
        "p99 1.10x, server CPU per delivery 0.50x (less the REST updates 1.00x), REST p95 1.20x, "
        "server CPU per connection n/a"
    )


def test_the_cpu_ratio_is_the_median_of_the_rounds_fan_out_threads() -> None:
    rows = [
        _side("project", 1, 50.0, 10.0, 1.02, fan_out_us=30.0),
        _side("baseline", 1, 50.0, 10.0, 0.02),
        _side("project", 2, 50.0, 10.0, 1.02, fan_out_us=50.0),
        _side("baseline", 2, 50.0, 10.0, 0.02),
        _side("project", 3, 50.0, 10.0, 1.02, fan_out_us=10.0),
        _side("baseline", 3, 50.0, 10.0, 0.02),
    ]
    assert "server CPU per delivery 1.50x (" in _bench().ratios(rows)[3]


def test_the_crowd_connecting_is_compared_when_both_sides_measured_it() -> None:
    connecting = {"connect_s": 20.0, "connect_cpu_ms": 3.0}
    rows = [
        {**_side("project", 1, 60.0, 12.0, 1.02), **connecting},
        {**_side("baseline", 1, 50.0, 10.0, 0.02), "connect_s": 5.0, "connect_cpu_ms": 0.5},
        {**_side("project", 2, 60.0, 12.0, 1.02), **connecting, "connect_cpu_ms": 2.0},
        {**_side("baseline", 2, 50.0, 10.0, 0.02), "connect_s": 5.0, "connect_cpu_ms": 0.5},
    ]
    lines = _bench().ratios(rows)
    assert lines[0].endswith(
        "; connecting 20.0 s vs 5.0 s, server CPU 3.00 ms vs 0.50 ms per connection = 6.00x"
    )
    assert lines[2].endswith("server CPU per connection 5.00x")
    older = _bench().ratios([_side("project", 1, 60.0, 12.0, 1.02), rows[1]])
    assert "connecting" not in older[0]


def test_a_single_round_prints_no_median() -> None:
    rows = [_side("project", 1, 60.0, 12.0, 1.02), _side("baseline", 1, 50.0, 10.0, 0.02)]
    lines = _bench().ratios(rows)
    assert len(lines) == 1 and "= 1.20x" in lines[0]


def test_a_baseline_that_measured_no_cpu_prints_n_a_instead_of_failing() -> None:
    """With a few followers the baseline may use no CPU tick at all (0 µs per delivery)."""
    idle = {"cpu_us_per_delivery": 0.0}
    rows = [
        _side("project", 1, 60.0, 12.0, 1.02), {**_side("baseline", 1, 50.0, 10.0, 0.02), **idle},
        _side("project", 2, 55.0, 11.0, 1.02), {**_side("baseline", 2, 50.0, 10.0, 0.02), **idle},
    ]  # fmt: skip
    lines = _bench().ratios(rows)
    assert "vs 0.0 µs = n/a" in lines[0]
    assert lines[2].endswith(
        "p99 1.15x, server CPU per delivery n/a (less the REST updates n/a), REST p95 1.15x, "
        "server CPU per connection n/a"
    )


def test_the_fan_out_threads_cpu_is_read_by_their_operating_system_names() -> None:
    """`thread_cpu_seconds` sums the CPU of the named threads of the given processes only."""
    import os
    import threading
    import time

    from deltacrown.core.threads import name_this_thread

    sys.path.insert(0, str(ROOT / "bench"))
    from ws_fanout_servers import thread_cpu_seconds

    stop = threading.Event()

    def spin() -> None:
        name_this_thread("dc-bench-spin")
        while not stop.is_set():
            sum(range(1000))

    thread = threading.Thread(target=spin)
    before = thread_cpu_seconds([os.getpid()], ("dc-bench-spin",))
    started = time.monotonic()
    thread.start()
    try:
        time.sleep(0.3)
        spent = thread_cpu_seconds([os.getpid()], ("dc-bench-spin",))
        lived = time.monotonic() - started
    finally:
        stop.set()
        thread.join()
    assert before == 0.0  # no such thread yet
    assert 0.0 < spent <= lived + 0.01  # CPU of that thread alone: at most its wall time
    assert thread_cpu_seconds([os.getpid()], ("no-such-thread",)) == 0.0


def test_probes_are_split_by_whether_they_started_during_an_updates_fan_out() -> None:
    near, far = _bench().probes_near_updates(
        [9.0, 10.05, 10.3, 11.1, 11.5], [5.0, 30.0, 6.0, 40.0, 7.0], [10.0, 11.0]
    )
    assert near == [30.0, 40.0]  # started 50 ms and 100 ms after an update was sent
    assert far == [5.0, 6.0, 7.0]  # before the first update, or 300 and 500 ms after one
