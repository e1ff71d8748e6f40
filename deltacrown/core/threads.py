"""A process's long-lived threads as the operating system sees them: their names (`top -H`,
`ps -L -o tid,comm,pcpu`, `/proc/<pid>/task/<tid>/comm`), so an operator can tell which part
of a busy worker spends its CPU (Python's own thread names stay inside the interpreter), and
their niceness, which Linux keeps per thread.

The names (at most 15 bytes, the kernel's limit) are those `docs/operations.md` lists:
`dc-ws-hub` (a process's websocket hub), `dc-ws-job` (its handler pool), `dc-live-listen`
(its Redis pub/sub listener). Linux only; elsewhere both do nothing."""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from typing import Any

log = logging.getLogger(__name__)
LINUX = sys.platform.startswith("linux")
PR_SET_NAME = 15  # prctl(2): name the calling thread
NAME_BYTES = 15  # the kernel keeps 16 bytes, the last one the terminating zero


def _prctl() -> Any:
    if not LINUX:
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # libc's, already in the process
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def name_this_thread(name: str) -> None:
    """Give the calling thread `name` (cut to 15 bytes) in the operating system's tables."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_NAME, ctypes.c_char_p(name.encode()[:NAME_BYTES]), 0, 0, 0)


def lower_this_thread(nice: int) -> None:
    """Run the calling thread alone at niceness `nice` (raising one's own needs no privilege;
    a value under the process's own is refused and logged)."""
    if not LINUX or not nice:  # elsewhere a native thread id is no process id
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except OSError:
        log.warning(
            "could not set thread %s's niceness to %s", threading.current_thread().name, nice
        )
