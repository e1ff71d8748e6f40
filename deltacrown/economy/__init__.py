"""Economy: DeltaCoin wallets and their ledger, the shop, promo codes and revenue analytics.

Other domains move coins only through `deltacrown.economy.services` (credit, debit, hold,
capture, release, refund) and read through `deltacrown.economy.queries`.
"""
