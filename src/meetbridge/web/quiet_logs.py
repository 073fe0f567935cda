"""A logging filter: refusals (403) are logged in one line, not with a traceback."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class RefusalsWithoutTraceback(logging.Filter):
    """Django logs a PermissionDenied raised by a view with its traceback, which reads like a
    crash in the operator's log; a refusal is the page working as intended."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
