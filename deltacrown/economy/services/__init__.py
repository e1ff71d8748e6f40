"""The economy's write side, the only writer of wallets, the ledger, holds, stock and promo
uses: `wallets` (the wallet row and its one balance statement), `ledger` (credit, debit,
refund, adjust_balance), `accounts` (system wallets: a tournament's escrow, the house), `holds` (hold, capture, release), `shop` (purchases, refunds, the
hold expiry sweep), `promos` (pricing, promo rules and CRUD) and `catalog` (shop items CRUD).
Other domains call the names re-exported here.
"""

from deltacrown.economy.services.accounts import (
    HOUSE,
    account_balance,
    account_entry,
    credit_account,
    debit_account,
    escrow_account,
)
from deltacrown.economy.services.holds import capture, hold, release
from deltacrown.economy.services.ledger import adjust_balance, credit, debit, refund
from deltacrown.economy.services.shop import release_expired_holds
from deltacrown.economy.services.wallets import get_or_create_wallet

__all__ = [
    "HOUSE",
    "account_balance",
    "account_entry",
    "credit_account",
    "debit_account",
    "escrow_account",
    "adjust_balance",
    "capture",
    "credit",
    "debit",
    "get_or_create_wallet",
    "hold",
    "refund",
    "release",
    "release_expired_holds",
]
