"""The job engine embedded in the web process, for local mode (`meetbridge run`)."""

from __future__ import annotations

from django.utils.module_loading import autodiscover_modules
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY


class EmbeddedConsumer(Consumer):
    """Huey's consumer, started from any thread; the host process owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_worker(workers: int = 4) -> EmbeddedConsumer:
    # As `run_huey` does: every app's tasks.py, so periodic tasks and queued jobs of apps the
    # web process has not imported yet are known to the worker.
    autodiscover_modules("tasks")
    consumer = EmbeddedConsumer(HUEY, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer
