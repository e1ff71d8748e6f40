"""The composition root: domains connect only in `deltacrown.wiring`, once per app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from deltacrown.core.ports import Port, PortNotProvidedError

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, json
from deltacrown import app as factory
from deltacrown.core import realtime, signals
for name in (factory.API_MODULES + factory.WS_MODULES + factory.WEB_MODULES + factory.ADMIN_MODULES
             + factory.CLI_MODULES + factory.TASK_MODULES + factory.MODEL_MODULES
             + ("deltacrown.registrations.receivers", "deltacrown.webhooks.receivers")):
    importlib.import_module(name)
connected = {name: len(sig.receivers) for name, sig in signals.signals.items() if sig.receivers}
print(json.dumps({"connected": connected, "announced": len(realtime._ANNOUNCED)}))
"""


def test_importing_every_module_connects_nothing():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"connected": {}, "announced": 0}


def test_wiring_twice_connects_each_receiver_and_listener_once(app):
    from deltacrown import wiring
    from deltacrown.core import realtime, signals
    from deltacrown.registrations import receivers

    announced = set(realtime._ANNOUNCED)
    wiring.wire(app)
    app.extensions.pop(wiring.WIRED)
    wiring.wire(app)
    connected = signals.tournament_cancelled.receivers_for("tournaments")
    assert [r for r in connected if r is receivers.on_tournament_cancelled] == [
        receivers.on_tournament_cancelled
    ]
    assert set(realtime._ANNOUNCED) == announced
    assert {(cls.__name__, key) for cls, key in announced} >= {
        ("Tournament", "status"),
        ("Match", "status"),
    }


def test_each_app_has_its_own_ports(app):
    from deltacrown.app import create_app
    from deltacrown.teams import ports

    other = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", AUTO_MIGRATE=False)
    assert ports.registrations.provided(other) is not ports.registrations.provided(app)
    with ports.registrations.substituted(other, object()):  # type: ignore[arg-type]
        assert ports.registrations.provided(app) is not None
        assert type(ports.registrations.provided(app)).__name__ == "TeamRegistrationFacts"


def test_a_port_nobody_provided_is_a_wiring_error(app_ctx):
    missing: Port[object] = Port("tests.missing")
    with pytest.raises(PortNotProvidedError, match="tests.missing"):
        missing.get()
    with missing.substituted(app_ctx, "answer"):
        assert missing.get() == "answer"
    assert missing.provided(app_ctx) is None
