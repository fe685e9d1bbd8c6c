"""WSGI entry point for gunicorn: `gunicorn musaic.wsgi:app`."""

from musaic import create_app

app = create_app()
