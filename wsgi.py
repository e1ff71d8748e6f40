"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from deltacrown import create_app

app = create_app()
