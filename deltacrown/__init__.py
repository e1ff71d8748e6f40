"""DeltaCrown: a backend for running esports tournaments."""

__version__ = "0.1.0"


def create_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Build the Flask application (see deltacrown.app.create_app)."""
    # Here, not at the top: importing any deltacrown module runs this file, and the pure
    # parts (the bracket engine, config) must not load Flask and every domain with it.
    from deltacrown.app import create_app as _create_app

    return _create_app(*args, **kwargs)


__all__ = ["__version__", "create_app"]
