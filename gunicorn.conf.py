"""gunicorn settings for Musaic (Procfile: `gunicorn -c gunicorn.conf.py musaic.wsgi:app`).

Threaded workers, so a request waiting on Spotify holds a thread, not a process. `timeout` is
kept above SPOTIFY_REQUEST_BUDGET_SECONDS plus slack (musaic refuses to start otherwise), so a
slow Spotify ends in a 503 `spotify_unavailable` envelope, never in a killed worker.
"""

import os
import shutil
import tempfile

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Heroku sends SIGTERM and kills 30 s later: finish in-flight requests within 25 s.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
preload_app = False  # each worker opens its own database pool and Redis connections
accesslog = "-"
# %(U)s is the path without its query string: an OAuth callback's code and state stay out.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
errorlog = "-"

# Web requests only (the CLI's imports and index builds run long statements on purpose): a
# query still running after 20 s is cancelled, so it cannot hold a thread up to the timeout.
os.environ.setdefault("DB_STATEMENT_TIMEOUT_MS", "20000")

# Prometheus multiprocess mode: each worker writes its samples here; /metrics sums them.
_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), f"musaic-metrics-{os.getpid()}")
)


def on_starting(server):
    """Start with an empty metrics directory (stale files would double-count)."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    os.makedirs(_metrics_dir, exist_ok=True)


def child_exit(server, worker):
    """Drop the live gauges of a worker that has gone."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
