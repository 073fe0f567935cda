"""Free/busy answers shared and briefly reused, above every calendar provider.

- Identical questions in flight share one upstream call: within a process, the threads asking
  wait for the first one's answer; with Redis, processes do too (a claim key, then the sealed
  answer under the question's key).
- An answer is reused for `MEETBRIDGE_FREEBUSY_CACHE_SECONDS` (default 30; 0 turns reuse and
  sharing off), in the `freebusy` cache: memory, or Redis when configured. Never the database.
- Entries are sealed with the vault, bound to their (hashed) name, like the shared tokens: a
  calendar's busy times are personal, and Redis is not trusted with them in clear.
- A booking, reschedule or cancel made here drops what it makes stale: each person (and each
  tenant) has a generation number that a change bumps; an answer is reused only while the
  generations it was read under are still current.
- Only availability reads through here. Bookings re-check free/busy straight from the provider.
- A fresh answer is sealed and kept after the request's own answer is sent (`after_answer`):
  identical questions in this process already share it in flight, and other processes wait
  for the claim as before.

A question is (tenant, asker, people, start, end): answers are never shared between tenants
or between askers.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from meetbridge.after_answer import after_answer
from meetbridge.integrations.provider import FreeBusy, Interval

log = logging.getLogger(__name__)

CLAIM_SECONDS = 15  # a process that claimed a question and died frees it by then
WAIT_SECONDS = 10.0  # how long another process's answer is waited for before asking oneself
POLL_SECONDS = 0.02
GENERATION_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Question:
    tenant_id: int
    as_email: str
    emails: tuple[str, ...]
    start: datetime
    end: datetime

    @property
    def name(self) -> str:
        text = "\n".join(
            [str(self.tenant_id), self.as_email, *self.emails]
            + [self.start.isoformat(), self.end.isoformat()]
        )
        # "freebusy2": entries hold epoch seconds; those of the earlier text format are never read.
        return "freebusy2:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Answer:
    free_busy: FreeBusy
    reused: bool  # True when no upstream call was made for this asker
    age_seconds: float = 0.0


def question(tenant_id: int, as_email: str, emails: list[str], start, end) -> Question:
    people = tuple(sorted({e.strip().lower() for e in emails}))
    return Question(tenant_id, as_email.strip().lower(), people, start, end)


def _person_generation(tenant_id: int, email: str) -> str:
    return "freebusy-gen:" + hashlib.sha256(f"{tenant_id}\n{email}".encode()).hexdigest()


def _claim_name(name: str) -> str:
    return name + ":asking"


def _tenant_generation(tenant_id: int) -> str:
    return f"freebusy-gen:tenant:{tenant_id}"


def _to_json(free_busy: FreeBusy) -> dict:
    """Busy times as UTC epoch seconds (`Interval.seconds`, exact), a fraction of the work of
    writing and reading text."""
    return {
        "busy": {
            email: [i.seconds for i in intervals] for email, intervals in free_busy.busy.items()
        },
        "unknown": dict(free_busy.unknown),
    }


def _from_json(data: dict) -> FreeBusy:
    moment = partial(datetime.fromtimestamp, tz=UTC)
    return FreeBusy(
        busy={
            email: [Interval(moment(s), moment(e)) for s, e in spans]
            for email, spans in data["busy"].items()
        },
        unknown=dict(data["unknown"]),
    )


class FreeBusyCache:
    def __init__(
        self,
        cache: Callable,
        vault: Callable,
        seconds: Callable[[], float],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = cache  # a callable: Django hands each thread its own cache client
        self._vault = vault
        self._seconds = seconds
        self._clock = clock
        self._sleep = sleep
        self._in_flight: dict[str, Future] = {}
        self._lock = threading.Lock()

    # -- reading --

    def free_busy(self, asked: Question, fetch: Callable[[], FreeBusy]) -> Answer:
        """The answer to `asked`: reused, shared with an identical call in flight, or fetched."""
        ttl = self._seconds()
        if ttl <= 0:
            return Answer(fetch(), reused=False)
        name = asked.name
        with self._lock:
            leader = self._in_flight.get(name)
            if leader is None:
                leader = self._in_flight[name] = Future()
                leading = True
            else:
                leading = False
        if not leading:
            return Answer(leader.result(), reused=True)
        try:
            answer = self._reused_or_fetched(asked, name, fetch, ttl)
            leader.set_result(answer.free_busy)
            return answer
        except BaseException as exc:
            leader.set_exception(exc)  # the followers share the failure: no burst of retries
            raise
        finally:
            with self._lock:
                self._in_flight.pop(name, None)

    def _reused_or_fetched(
        self, asked: Question, name: str, fetch: Callable[[], FreeBusy], ttl: float
    ) -> Answer:
        generations, sealed, claimed = self._look(asked, name)
        found = self._opened(sealed, name, generations)
        if found is not None:
            return found
        if claimed is None or sealed is not None:  # not claimed with the read, or a stale entry
            claimed = self._claim(name)
        if not claimed:
            waited = 0.0
            while waited < WAIT_SECONDS:  # another process is asking upstream right now
                self._sleep(POLL_SECONDS)
                waited += POLL_SECONDS
                found = self._read(name, generations)
                if found is not None:
                    return found
        try:
            free_busy = fetch()
        except BaseException:
            if claimed:
                self._release(name)
            raise

        def keep() -> None:  # sealing a large answer takes milliseconds nobody need wait for
            self._write(name, free_busy, generations, ttl, release=claimed)

        after_answer(keep)
        return Answer(free_busy, reused=False)

    def _look(self, asked: Question, name: str) -> tuple[dict[str, int], Any, bool | None]:
        """The current generations of everyone asked about, the sealed answer kept under
        `name` if any, and whether the question was claimed: one round trip to the store.

        With Redis the claim is made in the same round trip when no answer is kept (True or
        False: held by another process); other stores say None, not tried."""
        names = [_tenant_generation(asked.tenant_id)] + [
            _person_generation(asked.tenant_id, email) for email in asked.emails
        ]
        store = self._store()
        get_many_or_add = getattr(store, "get_many_or_add", None)
        try:
            if get_many_or_add is not None:
                found, claimed = get_many_or_add([*names, name], _claim_name(name), CLAIM_SECONDS)
            else:
                found, claimed = store.get_many([*names, name]), None
        except Exception:
            log.warning("Free/busy cache unavailable; asking the calendar provider directly.")
            return {}, None, None
        return {gen: int(found.get(gen, 0)) for gen in names}, found.get(name), claimed

    def _read(self, name: str, generations: dict[str, int]) -> Answer | None:
        try:
            sealed = self._store().get(name)
        except Exception:
            return None
        return self._opened(sealed, name, generations)

    def _opened(self, sealed: Any, name: str, generations: dict[str, int]) -> Answer | None:
        if sealed is None or not generations:
            return None
        try:
            entry = self._vault().open(sealed, bound_to=name)
        except Exception:  # sealed under keys since retired
            return None
        if entry["generations"] != generations:
            return None  # a booking made here since then touched someone in it
        age = max(0.0, self._clock() - float(entry["at"]))
        return Answer(_from_json(entry["free_busy"]), reused=True, age_seconds=age)

    def _write(
        self, name: str, free_busy: FreeBusy, generations: dict, ttl: float, *, release: bool
    ) -> None:
        """Keeps the answer for reuse and, when this process claimed the question, frees the
        claim: one round trip with Redis."""
        if not generations:  # the store was unreadable a moment ago: do not trust it now
            if release:
                self._release(name)
            return
        entry = {"free_busy": _to_json(free_busy), "generations": generations, "at": self._clock()}
        store = self._store()
        try:
            sealed = self._vault().seal(entry, bound_to=name)
            set_and_delete = getattr(store, "set_and_delete", None)
            if release and set_and_delete is not None:
                set_and_delete(name, sealed, max(1, int(ttl)), _claim_name(name))
                return
            store.set(name, sealed, timeout=max(1, int(ttl)))
        except Exception:
            log.warning("Free/busy cache unavailable; the answer is not kept for reuse.")
        if release:
            self._release(name)

    def _claim(self, name: str) -> bool:
        try:
            return bool(self._store().add(_claim_name(name), 1, CLAIM_SECONDS))
        except Exception:
            return True

    def _release(self, name: str) -> None:
        try:
            self._store().delete(_claim_name(name))
        except Exception:
            log.warning("Free/busy cache unavailable.")

    # -- dropping --

    def changed(self, tenant_id: int, emails: list[str] | tuple[str, ...] = ()) -> None:
        """Calendars of these people changed here: answers about them are stale. With no
        people named, every answer of the tenant is."""
        names = [_person_generation(tenant_id, e.strip().lower()) for e in emails] or [
            _tenant_generation(tenant_id)
        ]
        store = self._store()
        bump_many = getattr(store, "bump_many", None)
        if bump_many is not None:  # Redis: every generation in one round trip
            try:
                bump_many(names, GENERATION_SECONDS)
            except Exception:
                log.warning("Free/busy cache unavailable; could not drop stale answers.")
            return
        for name in names:
            try:
                store.add(name, 0, GENERATION_SECONDS)
                store.incr(name)
            except ValueError:  # expired between add and incr: a fresh start is a change too
                store.set(name, 1, GENERATION_SECONDS)
            except Exception:
                log.warning("Free/busy cache unavailable; could not drop stale answers.")


def _configured() -> FreeBusyCache:
    from django.conf import settings
    from django.core.cache import caches

    from meetbridge.integrations.access import vault

    return FreeBusyCache(
        lambda: caches["freebusy"],
        vault,
        lambda: float(settings.MEETBRIDGE.get("FREEBUSY_CACHE_SECONDS", 30)),
    )


_shared: FreeBusyCache | None = None
_shared_lock = threading.Lock()


def shared() -> FreeBusyCache:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = _configured()
        return _shared


def free_busy_reused(
    provider, *, tenant_id: int, as_email: str, emails: list[str], start, end
) -> Answer:
    """Availability's free/busy: `provider.free_busy`, shared and reused as described above."""
    asked = question(tenant_id, as_email, emails, start, end)
    return shared().free_busy(
        asked,
        lambda: provider.free_busy(as_email=as_email, emails=emails, start=start, end=end),
    )


def calendars_changed(tenant_id: int, emails=()) -> None:
    shared().changed(tenant_id, list(emails))


class DropsStaleAnswers:
    """A tenant's provider whose event changes drop the free/busy answers they make stale.

    Dropped whether the change succeeded or not: a failed call may still have been made.
    """

    def __init__(self, provider, tenant_id: int) -> None:
        self._provider = provider
        self._tenant_id = tenant_id

    def __getattr__(self, name: str):
        return getattr(self._provider, name)

    # Keyword arguments pass through as given: the provider interface owns their names.
    def create_event(self, **arguments):
        draft = arguments["draft"]
        try:
            return self._provider.create_event(**arguments)
        finally:
            calendars_changed(self._tenant_id, [draft.organizer_email, *draft.attendee_emails])

    def move_event(self, **arguments):
        view = None
        try:
            view = self._provider.move_event(**arguments)
            return view
        finally:
            named = list(arguments.get("attendee_emails") or ())
            seen = [a.email for a in view.attendees] if view is not None else []
            people = [arguments["as_email"], *named, *seen] if (named or seen) else []
            calendars_changed(self._tenant_id, people)  # none known: the whole tenant's

    def cancel_event(self, **arguments):
        try:
            return self._provider.cancel_event(**arguments)
        finally:
            calendars_changed(self._tenant_id)  # the attendees are not known here
