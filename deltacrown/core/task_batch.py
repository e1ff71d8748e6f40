"""One broker message for all the tasks a commit's effects start (server mode).

A committed result starts several reactions: the players' ratings, webhook events, the
notifications of the match that became ready. Each `apply_async` costs the request a message
built, serialized and sent to the broker. While `run_ready_effects` runs a commit's effects,
the tasks they start are collected instead (`TASKS`, a `core.transaction.EffectBatch`), and
when the effects are done:

* none: nothing is sent;
* one: it is sent as it would have been;
* more: one `core.send_batch` message carries them all, and the worker that takes it sends each
  to its own queue with its own options and the task id its caller was already given.

Each task keeps its own routing, retries and acknowledgement; the batch only moves the
sending from the request to a worker. A batch redelivered after a lost worker sends its tasks
again, which every task here is written to tolerate (celeryconfig: `task_acks_late`). With no
broker (the embedded default and tests) tasks run as before: nothing is collected.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

from deltacrown.core.transaction import EffectBatch

log = logging.getLogger(__name__)

BATCH_TASK = "core.send_batch"
# Options a collected task may carry (plain JSON values in the batch's message); a task started
# with any other option (an `eta` datetime, a link, ...) is sent at once instead.
BATCHABLE_OPTIONS = frozenset({"countdown", "queue", "priority", "expires", "task_id"})

Message = dict[str, Any]


def _send(batch: list[tuple[Any, Message]]) -> None:
    if len(batch) == 1:
        task, message = batch[0]
        task.apply_async(message["args"], message["kwargs"], **message["options"])
    else:
        app = batch[0][0].app
        names = ", ".join(m["task"] for _, m in batch)
        # The message's `kwargsrepr` (what worker logs and monitors show) names the tasks: the
        # default, a bounded repr of every nested message, costs more than sending it.
        app.tasks[BATCH_TASK].apply_async(
            kwargs={"messages": [m for _, m in batch]}, argsrepr="()", kwargsrepr=f"[{names}]"
        )


TASKS: EffectBatch[tuple[Any, Message]] = EffectBatch("tasks", _send)


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def offer(task: Any, args: Any, kwargs: Any, options: dict[str, Any]) -> Any:
    """Collect `task` started with these arguments into the open batch and return its
    AsyncResult, or None when no batch is open or this start cannot wait (the caller sends it)."""
    batch = TASKS.held()
    if batch is None or task.name == BATCH_TASK:
        return None
    if not set(options) <= BATCHABLE_OPTIONS or not all(map(_plain, options.values())):
        return None
    task_id = options.get("task_id") or str(uuid4())
    message = {
        "task": task.name,
        "args": list(args or ()),
        "kwargs": dict(kwargs or {}),
        "options": {**options, "task_id": task_id},
    }
    batch.append((task, message))
    return task.AsyncResult(task_id)


def send_each(app: Any, messages: list[Message]) -> int:
    """The batch's worker side: send every message to its own task; returns how many were
    sent. One that fails (an unknown task name) is logged and the others still go."""
    sent = 0
    for message in messages:
        try:
            task = app.tasks[message["task"]]
            task.apply_async(message["args"], message["kwargs"], **message["options"])
            sent += 1
        except Exception:
            log.exception("batched task %s could not be sent", message.get("task"))
    return sent
