"""The WSGI entry point for gunicorn: the only app built at import time."""

from service import create_app

app = create_app()
