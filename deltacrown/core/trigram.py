"""PostgreSQL pg_trgm's `word_similarity`, in Python, for SQLite.

SQLite has no trigram similarity; `install_sqlite_functions` registers this one on every new
SQLite connection (see `core.transaction`), under the same name, so a query written once
(`word_similarity(:word, text) >= :threshold`) gives the same rows on both databases.

The definition follows pg_trgm (contrib/pg_trgm/trgm_op.c, PostgreSQL 15):

* Words are runs of letters, decimal digits and spacing marks (glibc's `iswalnum`), lower-cased one character at
  a time (simple case mapping, as `towlower` does); everything else separates words.
* Each word is padded with two spaces before and one after, and cut into trigrams, in order
  ("cup" gives "  c", " cu", "cup", "up ").
* `word_similarity(a, b)` is the greatest similarity between the distinct trigrams of `a` and
  a continuous extent of `b`'s ordered trigrams, similarity being shared / (a + extent -
  shared), computed as a 4-byte float as PostgreSQL does (so a value equal to a threshold
  compares the same way on both). The extent search is pg_trgm's own (`iterate_word_similarity`),
  which is not an exhaustive search, ported step by step.

pg_trgm stores a trigram with non-ASCII characters as a 3-byte hash of it; this module keeps
the characters, which differs only if two such trigrams collide in PostgreSQL.
tests/core/test_trigram.py compares the two on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import struct
import unicodedata

LPAD, RPAD = "  ", " "


def _float4(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _word_char(char: str) -> bool:
    # glibc's iswalnum (PostgreSQL in a UTF-8 locale): letters, decimal digits and spacing
    # marks (Bengali vowel signs), not non-spacing ones (the virama).
    category = unicodedata.category(char)
    return category[0] == "L" or category in ("Mc", "Nd")


def _lower(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else lowered[0]


def words(text: str) -> list[str]:
    """The lower-cased words of `text`, as pg_trgm splits it."""
    cleaned = "".join(_lower(c) if _word_char(c) else " " for c in text)
    return cleaned.split()


def trigrams(text: str) -> list[str]:
    """Every trigram of `text`, word by word, in order (duplicates kept)."""
    found: list[str] = []
    for word in words(text):
        padded = f"{LPAD}{word}{RPAD}"
        found.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    return found


def _similarity(count: int, len1: int, len2: int) -> float:
    # CALCSML: float4 arithmetic.
    return _float4(_float4(count) / _float4(len1 + len2 - count))


def word_similarity(a: str | None, b: str | None) -> float | None:
    """pg_trgm's `word_similarity(a, b)` (NULL in, NULL out)."""
    if a is None or b is None:
        return None
    wanted = set(trigrams(a))
    ordered = trigrams(b)
    if not wanted or not ordered:
        return 0.0
    ulen1 = len(wanted)
    found = [trigram in wanted for trigram in ordered]
    # Positions in `b` stand for trigrams by identity: `ordered[i]` is trigram `ordered[i]`.
    last_pos: dict[str, int] = {}
    ulen2 = count = 0
    lower = -1
    best = 0.0
    for i, trigram in enumerate(ordered):
        if lower >= 0 or found[i]:
            if last_pos.get(trigram, -1) < 0:
                ulen2 += 1
                if found[i]:
                    count += 1
            last_pos[trigram] = i
        if not found[i]:
            continue
        upper = i
        if lower == -1:
            lower = i
            ulen2 = 1
        current = _similarity(count, ulen1, ulen2)
        # Try moving the lower bound right for a greater similarity.
        tmp_count, tmp_ulen2, prev_lower = count, ulen2, lower
        for tmp_lower in range(lower, upper + 1):
            candidate = _similarity(tmp_count, ulen1, tmp_ulen2)
            if candidate > current:
                current, ulen2, lower, count = candidate, tmp_ulen2, tmp_lower, tmp_count
            dropped = ordered[tmp_lower]
            if last_pos.get(dropped, -1) == tmp_lower:
                tmp_ulen2 -= 1
                if found[tmp_lower]:
                    tmp_count -= 1
        best = max(best, current)
        for tmp_lower in range(prev_lower, lower):
            dropped = ordered[tmp_lower]
            if last_pos.get(dropped, -1) == tmp_lower:
                last_pos[dropped] = -1
    return best


def install_sqlite_functions(connection: sqlite3.Connection) -> None:
    """Register `word_similarity(a, b)` on a SQLite connection."""
    connection.create_function("word_similarity", 2, word_similarity, deterministic=True)
