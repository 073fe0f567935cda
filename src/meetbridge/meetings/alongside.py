"""A calendar call made on another thread while the request's own thread works on the database.

Django's database connections belong to their thread, so the other thread only calls the
provider: the audit entries of its calls are kept aside (`audit.service.kept`) and handed to the
request's thread when it takes the answer, so they are written with the request's other entries,
before it is answered (as `HttpProvider._side_by_side` does with free/busy pieces).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections

from meetbridge.audit import service as audit

T = TypeVar("T")


class Alongside(Generic[T]):
    """`call()` started at once on its own thread; `result()` waits for it, hands its audit
    entries over and gives its answer or raises its exception. Take the answer (or `wait()`)
    on every path, refusals too: until then the call's entries are not written."""

    def __init__(self, call: Callable[[], T], *, name: str = "meetbridge-alongside") -> None:
        self._entries: list = []
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        # A thread of its own, never a pool's queue: the call starts now however many
        # requests are booking, as it would have on the request's thread.
        threading.Thread(target=self._run, args=(call,), name=name, daemon=True).start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            with audit.kept(self._entries):
                self._value = call()
        except BaseException as error:  # given to the waiting thread, which raises it
            self._error = error
        finally:
            # The call is not meant to touch the database; should it ever, its connection
            # must not outlive this thread.
            connections.close_all()
            self._done.set()

    def wait(self) -> None:
        """Waits until the call is over; its entries go to the request's audit trail."""
        self._done.wait()
        entries, self._entries = self._entries, []
        if entries:
            audit.credential_use(*entries)

    def result(self) -> T:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
