"""Which `next` a sign-in may end on: a path of this site, nothing else."""

import pytest

from meetbridge.accounts.next_page import MAX_LENGTH, safe_next
from tests.accounts.conftest import HOSTILE_NEXT


@pytest.mark.parametrize("path", ["/", "/availability?with=ana%40acme.test", "/meetings#soon"])
def test_a_path_here_is_kept(path):
    assert safe_next(path, "meet.example.com") == path


@pytest.mark.parametrize(
    "hostile",
    [*HOSTILE_NEXT, "", None, "/\x00/evil.test", "/ok\r\nSet-Cookie: x=1", "/" + "a" * MAX_LENGTH],
)
def test_anything_else_means_home(hostile):
    assert safe_next(hostile, "testserver") == ""
