"""WSGI entry point for gunicorn: `gunicorn musaic.wsgi:app`."""

from musaic import create_app
from musaic.runtime import settle_heap

app = create_app()
settle_heap()
