"""Who refreshes a cached read that missed, and what the others get meanwhile.

When a write changes what a popular page shows (a result on a live cup's bracket, a
registration on the lists), every anonymous reader of that page misses at once. Without
coordination each of them builds the same answer from the database, and under load the page's
readers queue behind one another. Instead, one request per entry *claims* the refresh: a
short lock (`RESPONSE_CACHE_REFRESH_SECONDS`, 5) under the entry's key, released as soon as its
answer is stored or has failed. While it is held, the other readers get:

* the entry as it was before the write, when there is one (a *stale* hit): the answer is at
  most one refresh old, as the `stale-while-revalidate` of every public answer tells caches;
* otherwise (nothing was ever stored, or it expired), they wait for the claimant's answer,
  looking again at growing intervals, for at most `RESPONSE_CACHE_FILL_WAIT_SECONDS` (3): a
  claimant that finishes without storing anything (an error, a 404) releases its claim and
  the waiters build their own answers at once.

With Redis the claim is one `SET NX PX` and each look one `MGET`; in the embedded default
(one process, the memory cache) the claims are kept in the process.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from deltacrown.core.cache import cache

CLAIM_PREFIX = "rc:claim:"
DEFAULT_REFRESH_SECONDS = 5.0
DEFAULT_WAIT_SECONDS = 3.0
FIRST_LOOK_SECONDS = 0.005
LONGEST_LOOK_SECONDS = 0.05
# Deletes the claim only if it is still this request's (it may have expired and been retaken).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)

_local_claims: dict[str, tuple[str, float]] = {}
_local_lock = threading.Lock()


def _redis() -> tuple[Any, str] | None:
    """The Redis client behind the cache and its key prefix, or None for the memory cache."""
    backend: Any = cache.cache
    client = getattr(backend, "_write_client", None)
    if client is None:
        return None
    return client, (backend._get_prefix() if backend.key_prefix else "")


def claim(key: str, seconds: float = DEFAULT_REFRESH_SECONDS) -> str | None:
    """Claim the refresh of `key`: a token to release it with, or None when another request
    holds it."""
    token = secrets.token_hex(8)
    found = _redis()
    if found is not None:
        client, prefix = found
        taken = client.set(prefix + CLAIM_PREFIX + key, token, nx=True, px=int(seconds * 1000))
        return token if taken else None
    now = time.monotonic()
    with _local_lock:
        held = _local_claims.get(key)
        if held is not None and held[1] > now:
            return None
        _local_claims[key] = (token, now + seconds)
    return token


def release(key: str, token: str) -> None:
    """Give up the claim on `key` if it is still `token`'s."""
    found = _redis()
    if found is not None:
        client, prefix = found
        client.eval(_RELEASE, 1, prefix + CLAIM_PREFIX + key, token)
        return
    with _local_lock:
        held = _local_claims.get(key)
        if held is not None and held[0] == token:
            del _local_claims[key]


def _look(key: str) -> tuple[Any, bool]:
    """The entry under `key` (or None) and whether its refresh is still claimed."""
    found = _redis()
    if found is not None:
        client, prefix = found
        stored, held = client.mget([prefix + key, prefix + CLAIM_PREFIX + key])
        entry = None if stored is None else cache.cache.serializer.loads(stored)
        return entry, held is not None
    with _local_lock:
        held = _local_claims.get(key)
        claimed = held is not None and held[1] > time.monotonic()
    return cache.get(key), claimed


def wait_for(key: str, seconds: float = DEFAULT_WAIT_SECONDS) -> Any:
    """The entry another request is storing under `key`, once it is there; None when that
    request gave up its claim without storing one, or after `seconds`."""
    deadline = time.monotonic() + seconds
    pause = FIRST_LOOK_SECONDS
    while True:
        entry, claimed = _look(key)
        if entry is not None:
            return entry
        if not claimed or time.monotonic() + pause > deadline:
            return None
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_LOOK_SECONDS)
