"""The contract suite runs once per provider in `WORLDS`: every provider must pass it.

A provider joins with one entry here, naming a fixture that returns its world (see
`worlds.py`), once its stand-in exists.
"""

from __future__ import annotations

import pytest

from tests.integrations.contract.worlds import GoogleWorld

DOMAIN = "acme.test"
ORGANIZER, ATTENDEE, OTHER = "ana@acme.test", "ben@acme.test", "cy@acme.test"
STRANGER = "nobody@acme.test"  # not in the directory
PEOPLE = [ORGANIZER, ATTENDEE, OTHER]

WORLDS = {
    "google": "google_world",
}


@pytest.fixture
def google_world(sandbox, google_settings):
    return GoogleWorld(sandbox, DOMAIN, PEOPLE)


@pytest.fixture(params=list(WORLDS))
def world(request):
    return request.getfixturevalue(WORLDS[request.param])
