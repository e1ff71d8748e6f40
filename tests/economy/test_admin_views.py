"""Flask-Admin economy views: staff only, read-only ledger, the adjust-balance form."""

from __future__ import annotations

import re

import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.extensions import db
from tests.helpers import sign_in_admin

VIEWS = (
    "admin_wallets",
    "admin_wallet_transactions",
    "admin_balance_adjustments",
    "admin_shop_items",
    "admin_purchases",
    "admin_inventory",
    "admin_promo_codes",
)


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def test_economy_views_are_staff_only(client, user, staff):
    for view in VIEWS:
        assert client.get(f"/admin/{view}/").status_code == 302, view
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(f"/admin/{view}/").status_code == 403, view
    sign_in(client, staff.id)
    for view in VIEWS:
        assert client.get(f"/admin/{view}/").status_code == 200, view


def test_wallet_list_links_to_its_ledger_and_the_adjust_form(client, staff, user, econ):
    econ.fund(user.id, 120)
    sign_in(client, staff.id)
    page = client.get("/admin/admin_wallets/").get_data(as_text=True)
    assert "120" in page
    ledger_link = re.search(r'href="(/admin/admin_wallet_transactions/\?flt0_0=\d+)"', page)
    assert ledger_link is not None
    ledger_page = client.get(ledger_link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "deposit" in ledger_page
    assert f"/admin/admin_balance_adjustments/new/?user_id={user.id}" in page


def test_ledger_and_wallets_cannot_be_edited_or_deleted(client, staff, user, econ):
    econ.fund(user.id, 10)
    sign_in(client, staff.id)
    for view in ("admin_wallets", "admin_wallet_transactions"):
        assert client.get(f"/admin/{view}/new/").status_code in (302, 403, 404)
        assert client.get(f"/admin/{view}/edit/?id=1").status_code in (302, 403, 404)
        response = client.post(f"/admin/{view}/delete/", data={"id": 1})
        assert response.status_code in (302, 403, 404)
    assert econ.ledger(user.id) == [("deposit", 10)]


def test_adjust_form_calls_the_service(app, client, staff, user, econ):
    sign_in(client, staff.id)
    form = client.get(f"/admin/admin_balance_adjustments/new/?user_id={user.id}")
    html = form.get_data(as_text=True)
    assert f'value="{user.id}"' in html
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/admin/admin_balance_adjustments/new/",
        data={"csrf_token": token, "user_id": user.id, "amount": 33, "reason": "support ticket"},
    )
    assert response.status_code == 302
    assert econ.ledger(user.id) == [("adjustment", 33)]
    refused = client.post(
        "/admin/admin_balance_adjustments/new/",
        data={"csrf_token": token, "user_id": user.id, "amount": -50, "reason": "too much"},
    )
    assert refused.status_code == 200 and "available" in refused.get_data(as_text=True)
    assert econ.ledger(user.id) == [("adjustment", 33)]
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "wallet.adjusted")
        ).one()
        assert entry.actor_id == staff.id and entry.after["reason"] == "support ticket"


def _token(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_item_and_promo_forms_apply_the_service_rules(app, client, staff):
    from deltacrown.economy.models import PromoCode, ShopItem

    sign_in(client, staff.id)
    url = "/admin/admin_shop_items/new/"
    bad = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "sku": "x",
            "name": "Bad",
            "price": 0,
            "is_active": "y",
        },
    )
    assert bad.status_code == 200 and "price" in bad.get_data(as_text=True)
    good = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "sku": "cape-1",
            "name": "Cape",
            "price": 30,
            "is_active": "y",
        },
    )
    assert good.status_code == 302
    url = "/admin/admin_promo_codes/new/"
    too_big = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "code": "half",
            "kind": "percent",
            "value": 150,
            "is_active": "y",
        },
    )
    assert too_big.status_code == 200 and "1-100" in too_big.get_data(as_text=True)
    fine = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "code": "half",
            "kind": "percent",
            "value": 50,
            "is_active": "y",
        },
    )
    assert fine.status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(ShopItem.sku)).all() == ["CAPE-1"]
        promo = db.session.scalars(sa.select(PromoCode)).one()
        assert (promo.code, promo.value, promo.uses_count, promo.min_spend) == ("HALF", 50, 0, 0)
