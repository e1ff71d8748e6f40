"""The operating system's names of a worker's long-lived threads (`core.threads`), which
`top -H` and `ps -L` show and the fan-out benchmark reads its CPU figures by."""

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from deltacrown.core import realtime, threads, ws_hub

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="thread names are read from Linux's /proc"
)


def _native_name(thread: threading.Thread) -> str:
    return Path(f"/proc/self/task/{thread.native_id}/comm").read_text().strip()


def _named_after_start(thread: threading.Thread, expected: str) -> str:
    deadline = time.monotonic() + 2
    while _native_name(thread) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return _native_name(thread)


def test_a_thread_names_itself_for_the_operating_system_cut_to_fifteen_bytes():
    seen: list[str] = []

    def run() -> None:
        threads.name_this_thread("dc-a-name-longer-than-fifteen")
        seen.append(Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert seen == ["dc-a-name-longe\n"]


def test_the_websocket_hub_and_its_handler_pool_carry_their_names(app):
    hub = ws_hub.hub_of(app)
    assert _named_after_start(hub.thread, "dc-ws-hub") == "dc-ws-hub"
    worker = hub.pool.submit(threading.current_thread).result(timeout=5)
    assert _native_name(worker) == "dc-ws-job"


def test_the_redis_listener_thread_carries_its_name():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    broker = realtime.RedisBroker(realtime.Hub(), url)
    try:
        broker.ensure_listening()
        assert _named_after_start(broker._thread, "dc-live-listen") == "dc-live-listen"
    finally:
        broker.close()


def _niceness(thread: threading.Thread) -> int:
    stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])  # field 19, nice


@pytest.mark.parametrize("configured", [10, 0])
def test_the_hub_and_its_pool_run_below_the_request_threads_of_their_process(configured):
    """While a large fan-out keeps the hub busy, or a crowd connecting keeps its pool busy
    starting sockets, the operating system runs the process's request threads first
    (`WS_HUB_NICE`, 10 by default; 0 keeps the process's own)."""
    from deltacrown.app import create_app

    own = os.getpriority(os.PRIO_PROCESS, 0)
    hub = ws_hub.hub_of(create_app("testing", WS_HUB_NICE=configured))
    deadline = time.monotonic() + 2
    expected = max(configured, own) if configured else own
    while _niceness(hub.thread) != expected and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _niceness(hub.thread) == expected
    worker = hub.pool.submit(threading.current_thread).result(timeout=5)
    assert _niceness(worker) == expected
    assert _niceness(threading.current_thread()) == own  # the thread alone, not the process
