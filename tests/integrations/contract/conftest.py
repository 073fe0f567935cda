"""The contract suite runs once per provider in `WORLDS`: every provider must pass it.

A provider joins with one entry in `WORLDS`, naming a fixture that returns its world: an object
kept with the provider's own tests (`tests/integrations/<name>/world.py`) with the methods of
`GoogleWorld`, which sets up its stand-in for the suite.
"""

from __future__ import annotations

import pytest

from tests.integrations.google.world import GoogleWorld
from tests.integrations.microsoft.world import MicrosoftWorld

DOMAIN = "acme.test"
ORGANIZER, ATTENDEE, OTHER = "ana@acme.test", "ben@acme.test", "cy@acme.test"
STRANGER = "nobody@acme.test"  # not in the directory
PEOPLE = [ORGANIZER, ATTENDEE, OTHER]

WORLDS = {
    "google": "google_world",
    "microsoft": "microsoft_world",
}


@pytest.fixture
def google_world(sandbox, google_settings):
    return GoogleWorld(sandbox, DOMAIN, PEOPLE)


@pytest.fixture
def microsoft_world(sandbox, microsoft, microsoft_settings):
    return MicrosoftWorld(sandbox, microsoft, DOMAIN, PEOPLE)


@pytest.fixture(params=list(WORLDS))
def world(request):
    return request.getfixturevalue(WORLDS[request.param])
