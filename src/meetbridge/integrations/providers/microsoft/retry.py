"""Which Microsoft Graph answers are worth another attempt. Pure.

429 is Outlook's throttling, per app and mailbox: it pauses that mailbox for every thread, as
long as Graph's `Retry-After` says. A 5xx is Microsoft's passing trouble (a 503 or 504 may hide
a change that was made: a create then looks for its event before trying again). Every other
4xx is final. A connection that failed or an answer that never came are retried too (by the
shared loop in `integrations/http.py`).
"""

from __future__ import annotations

from typing import Any

from meetbridge.integrations.http import FINAL, SLOW_DOWN, TRY_AGAIN


def classify(status: int, data: Any = None) -> str:
    if status == 429:
        return SLOW_DOWN
    return TRY_AGAIN if status >= 500 else FINAL
