"""Local mode's outbox: sent mail kept as files under var/mail/, read back for the Mail page.

Django's file-based backend writes each connection's messages to one file, separated by a line
of 79 dashes; this reads them back, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_string, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

SEPARATOR = "-" * 79


@dataclass(frozen=True)
class SentMail:
    to: str
    subject: str
    sent_at: object
    body: str


def read_outbox(folder: Path, limit: int = 50) -> list[SentMail]:
    if not folder.is_dir():
        return []
    mails: list[SentMail] = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for chunk in reversed(path.read_text(errors="replace").split(SEPARATOR)):
            if chunk.strip():
                mails.append(_parse(chunk.strip()))
        if len(mails) >= limit:
            break
    return mails[:limit]


def _parse(text: str) -> SentMail:
    message = message_from_string(text, policy=policy.default)
    part = message.get_body(preferencelist=("plain",)) if message.is_multipart() else message
    try:
        sent_at = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    return SentMail(
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        sent_at=sent_at,
        body=part.get_content() if part is not None else "",
    )
