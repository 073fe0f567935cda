"""The job engine embedded in the web process, for local mode (`meetbridge run`)."""

from __future__ import annotations

from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY


class EmbeddedConsumer(Consumer):
    """Huey's consumer, started from any thread; the host process owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_worker(workers: int = 4) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(HUEY, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer
