"""A calendar call made on another thread while the request's own thread works on the database.

Django's database connections belong to their thread, so the other thread only calls the
provider: the audit entries of its calls are kept aside (`audit.service.kept`) and handed to the
request's thread when it takes the answer, so they are written with the request's other entries,
before it is answered (as `HttpProvider._side_by_side` does with free/busy pieces).

The threads are kept between calls (`Parked`): starting one is a clone and two hand-overs
between threads, a few milliseconds on the booking's critical path when the machine is busy,
where waking one that waits costs one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections

from meetbridge.audit import service as audit

T = TypeVar("T")

IDLE_SECONDS = 60.0  # a parked thread nobody needed for this long ends


class Parked:
    """Threads that run one call each and then wait, parked, to run another.

    A call never waits for a thread: it takes a parked one, or a new one starts for it, so a
    call starts at once however many are running (never a pool's queue). A thread parked for
    `idle_seconds` without a call ends.
    """

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self.idle_seconds = idle_seconds
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def run(self, call: Callable[[], None], *, name: str) -> None:
        with self._lock:
            worker = self._idle.pop() if self._idle else None  # the warmest first
        if worker is None:
            worker = _Worker(self)
            worker.thread = threading.Thread(
                target=worker.loop, args=(call, name), name=name, daemon=True
            )
            worker.thread.start()
        else:
            worker.hand(call, name)

    def idle_count(self) -> int:
        with self._lock:
            return len(self._idle)

    def _park(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    def _leave(self, worker: _Worker) -> bool:
        """False when a call took the worker just as its wait ran out: it must run that."""
        with self._lock:
            if worker in self._idle:
                self._idle.remove(worker)
                return True
            return False


class _Worker:
    def __init__(self, parked: Parked) -> None:
        self._parked = parked
        self._given = threading.Semaphore(0)
        self._call: tuple[Callable[[], None], str] | None = None
        self.thread: threading.Thread | None = None

    def hand(self, call: Callable[[], None], name: str) -> None:
        self._call = (call, name)
        self._given.release()

    def loop(self, call: Callable[[], None], name: str) -> None:
        given: tuple[Callable[[], None], str] | None = (call, name)
        while given is not None:
            call, name = given
            threading.current_thread().name = name
            call()
            given = self._next()

    def _next(self) -> tuple[Callable[[], None], str] | None:
        self._parked._park(self)
        if not self._given.acquire(timeout=self._parked.idle_seconds):
            if self._parked._leave(self):
                return None
            self._given.acquire()  # taken at the last moment: its call is on its way
        given, self._call = self._call, None
        return given


THREADS = Parked()


class Alongside(Generic[T]):
    """`call()` started at once on its own thread; `result()` waits for it, hands its audit
    entries over and gives its answer or raises its exception. Take the answer (or `wait()`)
    on every path, refusals too: until then the call's entries are not written."""

    def __init__(
        self,
        call: Callable[[], T],
        *,
        name: str = "meetbridge-alongside",
        threads: Parked = THREADS,
    ) -> None:
        self._entries: list = []
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        threads.run(lambda: self._run(call), name=name)

    def _run(self, call: Callable[[], T]) -> None:
        try:
            with audit.kept(self._entries):
                self._value = call()
        except BaseException as error:  # given to the waiting thread, which raises it
            self._error = error
        finally:
            # The call is not meant to touch the database; should it ever, its connection
            # must not outlive the call (the thread goes on to others).
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
