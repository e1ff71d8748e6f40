"""The engine is pure: importing it loads neither Flask nor SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import deltacrown.brackets.engine as engine
engine.generate("double_elimination", [1, 2, 3])
roots = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"engine": engine.__name__ in sys.modules, "roots": roots}))
"""


def test_importing_the_engine_imports_neither_flask_nor_sqlalchemy() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(out.stdout)
    assert loaded["engine"] is True
    assert {"flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug"} & set(loaded["roots"]) == set()
