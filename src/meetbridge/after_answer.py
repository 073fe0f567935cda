"""Work a request may leave until its answer is on its way to the client.

`after_answer(work)` inside a request runs `work` once Django has handed the answer to the
server and the server closes it (`request_finished`, on the same thread); outside a request it
runs at once. Only for work nobody is waiting for and that may be lost with the process, such as
keeping a free/busy answer for reuse: what must not be lost (the audit log) is written before
answering.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

_pending = threading.local()


def after_answer(work: Callable[[], None]) -> None:
    queue = getattr(_pending, "queue", None)
    if queue is None:
        _run(work)
    else:
        queue.append(work)


def request_started(**_signal) -> None:
    request_finished()  # anything a previous request on this thread left is done first
    _pending.queue = []


def request_finished(**_signal) -> None:
    queue = getattr(_pending, "queue", None)
    _pending.queue = None
    for work in queue or ():
        _run(work)


def _run(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # the answer is already sent: nobody to tell but the log
        log.exception("Work left until after an answer failed.")
