"""The seed's Celery side, replicated for the benchmark's comparison phase.

The seed (seed/celery-rabbit-README.ko.md of the design) runs
``celery -A background.celery.celery_app worker -Q default-sum --loglevel=info``
with concurrency 2 (prefork), RabbitMQ as broker, Redis as result backend,
``task_soft_time_limit = 600`` and ``task_time_limit = 1200``, and three tasks.
Their sleeps (20 s, 2 s, 2 s) are multiplied by TASK_TIME_SCALE, as in
celeriac; the bench sets 0. SEED_QUEUE replaces ``default-sum`` so that a run
has a queue of its own on a shared broker.
"""
import os
import time

from celery import Celery

QUEUE = os.environ.get("SEED_QUEUE", "default-sum")
SCALE = float(os.environ.get("TASK_TIME_SCALE", "1"))

celery_app = Celery(
    "background",
    broker=os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//"),
    backend=os.environ.get("RESULT_BACKEND_URL", "redis://127.0.0.1:6379/0"),
)
celery_app.conf.update(
    task_default_queue=QUEUE,
    task_soft_time_limit=600,
    task_time_limit=1200,
    worker_hijack_root_logger=False,
)


@celery_app.task(name="add_task")
def add_task(a, b):
    time.sleep(20 * SCALE)
    return a + b


@celery_app.task(name="multi_task")
def multi_task(a, b):
    time.sleep(2 * SCALE)
    return a * b


@celery_app.task(name="sum_multiply_task")
def sum_multiply_task(total, a, b):
    time.sleep(2 * SCALE)
    return [total * a, total * b]
