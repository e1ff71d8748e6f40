"""Economy representations: `*Schema` out, `*Args` in. Coins are integers."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from webargs.fields import DelimitedList

from deltacrown.core.api import BaseSchema
from deltacrown.core.inputs import is_id
from deltacrown.core.pagination import CursorArgs
from deltacrown.economy.models import PromoKind, PurchaseStatus, TransactionKind
from deltacrown.economy.services.shop import MAX_QUANTITY
from deltacrown.economy.services.wallets import MAX_AMOUNT

Coins = ma.fields.Integer
AwareDateTime = ma.fields.AwareDateTime


class ItemRef(ma.fields.Field):
    """A shop item's id (integer) or SKU (string)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool) and is_id(value):
            return value
        if isinstance(value, str) and 0 < len(value.strip()) <= 40:
            text = value.strip()
            if not (text.isascii() and text.isdigit()):
                return text.upper()
            if is_id(int(text)):
                return int(text)
        raise ma.ValidationError("Give an item id (integer) or SKU (string).")

    def _jsonschema_type_mapping(self) -> dict[str, Any]:
        return {"oneOf": [{"type": "integer"}, {"type": "string"}]}


# ----- wallet --------------------------------------------------------------------------------
class WalletSchema(BaseSchema):
    balance = Coins(metadata={"description": "Coins in the wallet (sum of its ledger)"})
    held = Coins(metadata={"description": "Coins reserved by active holds"})
    available = Coins(metadata={"description": "balance - held: what can be spent"})


class TransactionSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    amount = Coins(metadata={"description": "Signed: credits positive, debits negative"})
    kind = ma.fields.Enum(TransactionKind, by_value=True)
    balance_after = Coins()
    reference_type = ma.fields.String(allow_none=True)
    reference_id = ma.fields.Integer(allow_none=True)
    refund_of_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    created_by = ma.fields.Integer(
        allow_none=True, metadata={"description": "Staff member, if any"}
    )
    created_at = AwareDateTime(format="iso")


class TransactionQueryArgs(CursorArgs):
    kind = DelimitedList(
        ma.fields.Enum(TransactionKind, by_value=True),
        metadata={"description": "Comma-separated kinds"},
    )
    created_from = AwareDateTime(format="iso", metadata={"description": "Inclusive (ISO 8601)"})
    created_to = AwareDateTime(format="iso", metadata={"description": "Exclusive (ISO 8601)"})


class AdjustArgs(BaseSchema):
    amount = ma.fields.Integer(
        required=True,
        validate=[
            ma.validate.Range(min=-MAX_AMOUNT, max=MAX_AMOUNT),
            ma.validate.NoneOf([0], error="Must not be 0."),
        ],
        metadata={"description": "Signed coins: positive adds, negative removes"},
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


# ----- shop ----------------------------------------------------------------------------------
class ShopItemSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    sku = ma.fields.String()
    name = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    price = Coins()
    stock = ma.fields.Integer(allow_none=True, metadata={"description": "null: unlimited"})
    available_from = AwareDateTime(format="iso", allow_none=True)
    available_to = AwareDateTime(format="iso", allow_none=True)
    per_user_limit = ma.fields.Integer(allow_none=True)
    image_url = ma.fields.String(allow_none=True)
    image_alt_text = ma.fields.String(
        allow_none=True, metadata={"description": "What the picture shows (for screen readers)"}
    )


class StaffShopItemSchema(ShopItemSchema):
    is_active = ma.fields.Boolean()
    version = ma.fields.Integer(dump_only=True)
    created_at = AwareDateTime(format="iso", dump_only=True)
    updated_at = AwareDateTime(format="iso", dump_only=True)


class ShopItemUpdateArgs(BaseSchema):
    sku = ma.fields.String(validate=ma.validate.Length(min=2, max=40))
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=5000))
    price = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_AMOUNT))
    stock = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=0))
    available_from = AwareDateTime(format="iso", allow_none=True)
    available_to = AwareDateTime(format="iso", allow_none=True)
    per_user_limit = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1))
    image_url = ma.fields.URL(
        schemes={"http", "https"}, validate=ma.validate.Length(max=500), allow_none=True
    )
    image_alt_text = ma.fields.String(
        validate=ma.validate.Length(max=300),
        allow_none=True,
        metadata={"description": "What the picture shows, for screen readers: required with one"},
    )
    is_active = ma.fields.Boolean()


class ShopItemCreateArgs(ShopItemUpdateArgs):
    sku = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=40))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    price = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_AMOUNT))


class StaffItemQueryArgs(BaseSchema):
    is_active = ma.fields.Boolean()
    search = ma.fields.String(validate=ma.validate.Length(min=1, max=100))


class ItemBriefSchema(BaseSchema):
    id = ma.fields.Integer()
    sku = ma.fields.String()
    name = ma.fields.String()


class PurchaseSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    user_id = ma.fields.Integer()
    item = ma.fields.Nested(ItemBriefSchema)
    quantity = ma.fields.Integer()
    unit_price = Coins()
    subtotal = Coins()
    discount = Coins()
    total = Coins(metadata={"description": "What is (or will be) paid"})
    promo_code = ma.fields.Function(
        lambda purchase: purchase.promo_code.code if purchase.promo_code else None,
        allow_none=True,
    )
    status = ma.fields.Enum(PurchaseStatus, by_value=True)
    refunded_amount = Coins()
    transaction_id = ma.fields.Integer(allow_none=True)
    expires_at = AwareDateTime(format="iso", allow_none=True)
    captured_at = AwareDateTime(format="iso", allow_none=True)
    released_at = AwareDateTime(format="iso", allow_none=True)
    created_at = AwareDateTime(format="iso")


class PurchaseCreateArgs(BaseSchema):
    item = ItemRef(required=True, metadata={"description": "Item id or SKU"})
    quantity = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=MAX_QUANTITY)
    )
    promo_code = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40))
    hold = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Reserve coins and stock (15 minutes) instead of paying now"},
    )


class PurchaseQueryArgs(BaseSchema):
    status = ma.fields.Enum(PurchaseStatus, by_value=True)
    user = ma.fields.Integer(metadata={"description": "Staff: another user's purchases"})


class RefundArgs(BaseSchema):
    amount = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=MAX_AMOUNT),
        metadata={"description": "Coins to refund; omitted: all that is left"},
    )
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class ApplyPromoArgs(BaseSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))


class PromoValidateArgs(ApplyPromoArgs):
    item = ItemRef(required=True, metadata={"description": "Item id or SKU"})
    quantity = ma.fields.Integer(
        load_default=1, validate=ma.validate.Range(min=1, max=MAX_QUANTITY)
    )


class PromoQuoteSchema(BaseSchema):
    code = ma.fields.String()
    kind = ma.fields.Enum(PromoKind, by_value=True)
    value = ma.fields.Integer()
    item = ma.fields.Nested(ItemBriefSchema)
    quantity = ma.fields.Integer()
    unit_price = Coins()
    subtotal = Coins()
    discount = Coins()
    total = Coins()


class InventoryItemSchema(BaseSchema):
    item = ma.fields.Nested(ItemBriefSchema)
    quantity = ma.fields.Integer()
    updated_at = AwareDateTime(format="iso")


# ----- promo codes (staff) -------------------------------------------------------------------
class PromoCodeSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String()
    description = ma.fields.String(allow_none=True)
    kind = ma.fields.Enum(PromoKind, by_value=True)
    value = ma.fields.Integer(metadata={"description": "Percent (1-100) or coins off"})
    valid_from = AwareDateTime(format="iso", allow_none=True)
    valid_to = AwareDateTime(format="iso", allow_none=True)
    max_uses = ma.fields.Integer(allow_none=True)
    max_uses_per_user = ma.fields.Integer(allow_none=True)
    min_spend = Coins()
    items = ma.fields.Function(
        lambda promo: [item.id for item in promo.items],
        metadata={"description": "Item ids it is restricted to; empty: every item"},
    )
    uses_count = ma.fields.Integer(dump_only=True)
    is_active = ma.fields.Boolean()
    version = ma.fields.Integer(dump_only=True)
    created_at = AwareDateTime(format="iso", dump_only=True)


class PromoCodeUpdateArgs(BaseSchema):
    code = ma.fields.String(validate=ma.validate.Length(min=3, max=40))
    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    kind = ma.fields.Enum(PromoKind, by_value=True)
    value = ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_AMOUNT))
    valid_from = AwareDateTime(format="iso", allow_none=True)
    valid_to = AwareDateTime(format="iso", allow_none=True)
    max_uses = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1))
    max_uses_per_user = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1))
    min_spend = ma.fields.Integer(validate=ma.validate.Range(min=0, max=MAX_AMOUNT))
    items = ma.fields.List(ma.fields.Integer(validate=ma.validate.Range(min=1)))
    is_active = ma.fields.Boolean()


class PromoCodeCreateArgs(PromoCodeUpdateArgs):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=40))
    kind = ma.fields.Enum(PromoKind, by_value=True, required=True)
    value = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_AMOUNT))


class PromoCodeQueryArgs(BaseSchema):
    is_active = ma.fields.Boolean()


# ----- analytics -----------------------------------------------------------------------------
class RevenueQueryArgs(BaseSchema):
    period = ma.fields.String(
        load_default="day", validate=ma.validate.OneOf(["day", "week", "month"])
    )
    date_from = ma.fields.Date(data_key="from", metadata={"description": "First day (UTC)"})
    date_to = ma.fields.Date(data_key="to", metadata={"description": "Last day, inclusive"})


class RevenueFiguresSchema(BaseSchema):
    entry_fees = Coins()
    shop = Coins()
    revenue = Coins(metadata={"description": "entry_fees + shop"})
    refunds = Coins()
    net = Coins(metadata={"description": "revenue - refunds"})
    paying_users = ma.fields.Integer()
    arppu = ma.fields.String(metadata={"description": "net / paying users, 2 decimals"})


class RevenueBucketSchema(RevenueFiguresSchema):
    start = ma.fields.Date(metadata={"description": "First day of the bucket (Monday for weeks)"})


class RevenueReportSchema(BaseSchema):
    period = ma.fields.String()
    date_from = ma.fields.Date(data_key="from")
    date_to = ma.fields.Date(data_key="to")
    buckets = ma.fields.List(ma.fields.Nested(RevenueBucketSchema))
    totals = ma.fields.Nested(RevenueFiguresSchema)
