"""What makes a password acceptable: a length, and not guessable in the first thousand tries.

Refused, besides passwords shorter than `PASSWORD_MIN_LENGTH`:

* a password on the shipped lists (compared without case, also with digits or symbols
  appended, as in `password2026!`): `breached_passwords.txt.gz`, the 100,000 most frequent
  passwords of Mark Burnett's ten-million-password breach corpus (from SecLists,
  `Passwords/Common-Credentials/10-million-password-list-top-100000.txt`, MIT licence), and
  `common_passwords.txt`, ones obvious for this site; both are read once, on first use, into
  one frozenset;
* one of fewer than four different characters (`aaaaaaaaaa`, `aaaaabbbbb`), a short piece
  repeated three times or more (`abcdabcdabcd`), a straight run on the keyboard's number or
  letter order (`1234567890`, `abcdefghij`);
* the account's own username or e-mail (or the e-mail's local part), also with digits appended.

Pure logic: the services call `password_problem` and raise (register, change, reset).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

MAX_LENGTH = 1024
MIN_DISTINCT_CHARACTERS = 4
_LIST = Path(__file__).with_name("common_passwords.txt")
_BREACHED = Path(__file__).with_name("breached_passwords.txt.gz")
_TRAILING = "0123456789!@#$%^&*()-_=+.?~ "


@functools.cache
def common_passwords() -> frozenset[str]:
    """Every listed password, lower-cased (about 100,000)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    lines += gzip.decompress(_BREACHED.read_bytes()).decode("utf-8", "replace").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def _is_straight_run(text: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:], strict=False)}
    return steps in ({1}, {-1})


def _is_repeated_unit(text: str) -> bool:
    for period in range(1, len(text) // 3 + 1):
        if all(text[i] == text[i % period] for i in range(len(text))):
            return True
    return False


def password_problem(
    password: str, *, min_length: int, username: str | None = None, email: str | None = None
) -> str | None:
    """Why `password` is refused (a sentence for the user), or None when it is acceptable."""
    if len(password) < min_length:
        return f"Passwords need at least {min_length} characters."
    if len(password) > MAX_LENGTH:
        return f"Passwords are at most {MAX_LENGTH} characters."
    folded = password.strip().lower()
    personal = {value.strip().lower() for value in (username, email) if value}
    if email and "@" in email:
        personal.add(email.strip().lower().split("@", 1)[0])
    if folded in personal or folded.rstrip(_TRAILING) in personal:
        return "The password must not be your username or e-mail address."
    if folded in common_passwords() or folded.rstrip(_TRAILING) in common_passwords():
        return "This password is among the most common ones; choose another."
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        return (
            f"Use at least {MIN_DISTINCT_CHARACTERS} different characters; "
            "repeated characters are guessed first."
        )
    if _is_repeated_unit(folded):
        return "A short piece repeated over and over is guessed first; choose another."
    if _is_straight_run(folded):
        return "A run such as 1234567890 or abcdefghij is guessed first; choose another."
    return None
