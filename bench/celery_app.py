"""The Python Celery worker of the benchmark: Celery's defaults, JSON, Redis
results, the builtin no-op task ``celery.accumulate``, ``fib_task`` (the
CPU phase's naive recursion, as celeriac's demo task runs it) and ``add_task``
(the canvas phase's).

Run from bench/: /usr/bin/python3 -m celery -A celery_app worker -Q QUEUE ...
"""
import os

from celery import Celery

app = Celery(
    "celeriac-bench",
    broker=os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get("RESULT_BACKEND_URL", "redis://127.0.0.1:6379/0"),
)
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=int(os.environ.get("RESULT_EXPIRES", "86400")),
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


@app.task(name="fib_task")
def fib_task(n):
    return fib(n)


@app.task(name="add_task")
def add_task(a, b):
    """The canvas phase's trivial task (celeriac's add_task at TASK_TIME_SCALE=0)."""
    return a + b
