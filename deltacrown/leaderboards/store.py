"""Where boards live: Redis sorted sets in server mode, an in-process equivalent in the
embedded default (`MemoryStore` keeps the same ordering: score descending, then member
descending, as `ZREVRANGE`).

A board is a sorted set plus a hash from subject id to its member. Replacing a board writes
both under temporary keys and renames them over the live ones in one MULTI/EXEC (Redis runs
a transaction without interleaving another client's command), so a reader sees the old board
or the new one, never half of one.
"""

from __future__ import annotations

import bisect
import threading
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from flask import current_app

from deltacrown.core.redis import get_redis

BUILT = "_built"  # a field every board's hash carries, so an empty board still exists
EXTENSION = "deltacrown.leaderboards.store"


class BoardStore(Protocol):
    def exists(self, key: str) -> bool: ...
    def replace(
        self, key: str, scores: Mapping[str, float], members: Mapping[str, str]
    ) -> None: ...
    def upsert(self, key: str, scores: Mapping[str, float], members: Mapping[str, str]) -> None: ...
    def remove(self, key: str, members: Mapping[str, str]) -> None: ...
    def member_of(self, key: str, subject: str) -> str | None: ...
    def rank_of(self, key: str, member: str) -> tuple[int, float] | None: ...
    def range(self, key: str, start: int, stop: int) -> list[tuple[str, float]]: ...
    def count(self, key: str) -> int: ...
    def delete(self, keys: Iterable[str]) -> None: ...


class RedisStore:
    def __init__(self, client: Any) -> None:
        self.r = client

    def exists(self, key: str) -> bool:
        return bool(self.r.hexists(f"{key}:m", BUILT))

    def replace(self, key: str, scores: Mapping[str, float], members: Mapping[str, str]) -> None:
        tmp = f"{key}:tmp:{uuid.uuid4().hex}"
        items = list(scores.items())
        pipe = self.r.pipeline(transaction=False)
        for i in range(0, len(items), 10_000):
            pipe.zadd(tmp, dict(items[i : i + 10_000]))
        pairs = [*members.items(), (BUILT, "1")]
        for i in range(0, len(pairs), 10_000):
            pipe.hset(f"{tmp}:m", mapping=dict(pairs[i : i + 10_000]))
        pipe.execute()
        # Move the live board aside (O(1)) rather than renaming over it: RENAME onto an
        # existing key frees the old value inside the command, which stalls Redis for a
        # large board; UNLINK frees it in the background.
        old = f"{key}:old:{uuid.uuid4().hex}"
        swap = self.r.pipeline(transaction=True)
        swap.rename(key, old)  # fails harmlessly when there is no live board yet
        swap.rename(f"{key}:m", f"{old}:m")
        if items:
            swap.rename(tmp, key)
        swap.rename(f"{tmp}:m", f"{key}:m")
        swap.unlink(old, f"{old}:m")
        for outcome in swap.execute(raise_on_error=False)[2:]:
            if isinstance(outcome, Exception):
                raise outcome

    def upsert(self, key: str, scores: Mapping[str, float], members: Mapping[str, str]) -> None:
        stale = [m for m in self.r.hmget(f"{key}:m", list(members)) if m is not None]
        pipe = self.r.pipeline(transaction=True)
        if stale:
            pipe.zrem(key, *[m.decode() for m in stale])
        if scores:
            pipe.zadd(key, dict(scores))
        if members:
            pipe.hset(f"{key}:m", mapping=dict(members))
        pipe.execute()

    def remove(self, key: str, members: Mapping[str, str]) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.zrem(key, *members.values())
        pipe.hdel(f"{key}:m", *members.keys())
        pipe.execute()

    def member_of(self, key: str, subject: str) -> str | None:
        value = self.r.hget(f"{key}:m", subject)
        return value.decode() if value is not None else None

    def rank_of(self, key: str, member: str) -> tuple[int, float] | None:
        pipe = self.r.pipeline(transaction=False)
        pipe.zrevrank(key, member)
        pipe.zscore(key, member)
        position, score = pipe.execute()
        return None if position is None else (int(position), float(score))

    def range(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        return [
            (m.decode(), float(s)) for m, s in self.r.zrevrange(key, start, stop, withscores=True)
        ]

    def count(self, key: str) -> int:
        return int(self.r.zcard(key))

    def delete(self, keys: Iterable[str]) -> None:
        names = [n for k in keys for n in (k, f"{k}:m")]
        if names:
            self.r.unlink(*names)


class MemoryStore:
    """The same operations on dicts, under one lock; a board's order is kept as a sorted list
    of (-score, negated member) keys, so ranges and ranks are bisections."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.scores: dict[str, dict[str, float]] = {}
        self.members: dict[str, dict[str, str]] = {}
        self.order: dict[str, list[tuple[float, tuple[int, ...]]]] = {}

    @staticmethod
    def _key(member: str, score: float) -> tuple[float, tuple[int, ...]]:
        return (-score, tuple(-ord(c) for c in member))

    def _sorted(self, key: str) -> list[tuple[float, tuple[int, ...]]]:
        order = self.order.get(key)
        if order is None:
            order = sorted(self._key(m, s) for m, s in self.scores.get(key, {}).items())
            self.order[key] = order
        return order

    def exists(self, key: str) -> bool:
        with self.lock:
            return key in self.members

    def replace(self, key: str, scores: Mapping[str, float], members: Mapping[str, str]) -> None:
        fresh, names = dict(scores), dict(members)
        with self.lock:
            self.scores[key], self.members[key] = fresh, names
            self.order.pop(key, None)

    def upsert(self, key: str, scores: Mapping[str, float], members: Mapping[str, str]) -> None:
        with self.lock:
            board = self.scores.setdefault(key, {})
            names = self.members.setdefault(key, {})
            for subject, member in members.items():
                old = names.get(subject)
                if old is not None:
                    board.pop(old, None)
                names[subject] = member
            board.update(scores)
            self.order.pop(key, None)

    def remove(self, key: str, members: Mapping[str, str]) -> None:
        with self.lock:
            for subject, member in members.items():
                self.scores.get(key, {}).pop(member, None)
                self.members.get(key, {}).pop(subject, None)
            self.order.pop(key, None)

    def member_of(self, key: str, subject: str) -> str | None:
        with self.lock:
            return self.members.get(key, {}).get(subject)

    def rank_of(self, key: str, member: str) -> tuple[int, float] | None:
        with self.lock:
            score = self.scores.get(key, {}).get(member)
            if score is None:
                return None
            return bisect.bisect_left(self._sorted(key), self._key(member, score)), score

    def range(self, key: str, start: int, stop: int) -> list[tuple[str, float]]:
        with self.lock:
            order = self._sorted(key)[start : stop + 1]
        return [("".join(chr(-c) for c in m), -s) for s, m in order]

    def count(self, key: str) -> int:
        with self.lock:
            return len(self.scores.get(key, {}))

    def delete(self, keys: Iterable[str]) -> None:
        with self.lock:
            for key in keys:
                self.scores.pop(key, None)
                self.members.pop(key, None)
                self.order.pop(key, None)


def get_store() -> BoardStore:
    """The app's store: Redis when REDIS_URL is set, else one MemoryStore per app."""
    store = current_app.extensions.get(EXTENSION)
    if store is None:
        if current_app.config.get("REDIS_URL"):
            store = RedisStore(get_redis())
        else:
            store = MemoryStore()
        current_app.extensions[EXTENSION] = store
    return store  # type: ignore[no-any-return]


def key_prefix() -> str:
    """Boards' key prefix; test apps sharing a Redis keep theirs apart (CACHE_KEY_PREFIX)."""
    return f"{current_app.config.get('CACHE_KEY_PREFIX') or ''}lb:"
