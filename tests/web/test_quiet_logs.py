"""A refused page is logged in one line, without a traceback that reads like a crash."""

import logging
import sys

from django.core.exceptions import PermissionDenied

from meetbridge.web.quiet_logs import RefusalsWithoutTraceback


def _record_with(exc: Exception) -> logging.LogRecord:
    try:
        raise exc
    except Exception:
        info = sys.exc_info()
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), info)


def test_a_refusal_loses_its_traceback_but_is_still_logged():
    record = _record_with(PermissionDenied("no"))
    assert RefusalsWithoutTraceback().filter(record) is True
    assert record.exc_info is None


def test_other_errors_keep_their_traceback():
    record = _record_with(ValueError("boom"))
    RefusalsWithoutTraceback().filter(record)
    assert record.exc_info is not None
