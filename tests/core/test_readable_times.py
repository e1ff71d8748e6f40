"""Times in problem details read as ISO 8601 to the second with `Z`."""

from datetime import UTC, datetime, timedelta, timezone

from deltacrown.core.time import isoformat, readable


def test_a_detail_time_is_iso_8601_to_the_second_in_utc():
    value = datetime(2026, 12, 6, 5, 53, 30, 818420, tzinfo=UTC)
    assert readable(value) == "2026-12-06T05:53:30Z"
    dhaka = value.astimezone(timezone(timedelta(hours=6)))
    assert readable(dhaka) == "2026-12-06T05:53:30Z"
    assert isoformat(value) == "2026-12-06T05:53:30.818420Z"  # extension members keep it all
