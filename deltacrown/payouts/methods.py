"""Players' payout methods (how they accept cash prizes): one account per method, validated per
method. bKash, Nagad and Rocket take a Bangladeshi mobile number (stored as 01XXXXXXXXX), a
bank an account number (6-34 letters, digits, spaces or hyphens), PayPal an e-mail address.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from deltacrown.core.transaction import savepoint
from deltacrown.extensions import db
from deltacrown.payouts import queries
from deltacrown.payouts.errors import InvalidPayoutMethodError
from deltacrown.payouts.models import PayoutMethod, PayoutMethodKind

MOBILE = re.compile(r"^(?:\+?880|0)?(1[3-9]\d{8})$")
BANK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{4,32}[A-Za-z0-9]$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]{1,63}(?:\.[^@\s.]{1,63})+$")
MOBILE_METHODS = (PayoutMethodKind.BKASH, PayoutMethodKind.NAGAD, PayoutMethodKind.ROCKET)


def normalize_account(method: PayoutMethodKind, account: str) -> str:
    """The account as stored; InvalidPayoutMethodError when it does not fit the method."""
    text = account.strip()
    if method in MOBILE_METHODS:
        match = MOBILE.match(re.sub(r"[\s-]", "", text))
        if match:
            return "0" + match.group(1)
        problem = "A Bangladeshi mobile number, such as 01712345678."
    elif method == PayoutMethodKind.BANK:
        if BANK.match(text):
            return text.upper()
        problem = "An account number of 6 to 34 letters, digits, spaces or hyphens."
    else:
        if EMAIL.match(text) and len(text) <= 100:
            return text.lower()
        problem = "The e-mail address of the PayPal account."
    raise InvalidPayoutMethodError(problem, errors={"account": [problem]})


def save_method(user_id: int, method: PayoutMethodKind, account: str) -> PayoutMethod:
    """Add the user's account for `method`, or replace the one they had."""
    normalized = normalize_account(method, account)
    for existing in queries.methods_of(user_id):
        if existing.method == method:
            existing.account = normalized
            db.session.flush()
            return existing
    try:
        with savepoint():
            row = PayoutMethod(user_id=user_id, method=method, account=normalized)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # the same user saved the same method at once: update theirs
        for existing in queries.methods_of(user_id):
            if existing.method == method:
                existing.account = normalized
                db.session.flush()
                return existing
        raise
    return row


def delete_method(user_id: int, method_id: int) -> None:
    """Raises PayoutMethodNotFoundError (also for someone else's method)."""
    db.session.delete(queries.get_method(user_id, method_id))
    db.session.flush()
