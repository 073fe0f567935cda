"""The command line, as an operator uses it: messages, exit codes, nothing half-written."""

import io

import pytest

from meetbridge.cli import main
from meetbridge.tenants.models import ApiToken, Person, Tenant

pytestmark = pytest.mark.django_db


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_createtenant_adduser_apitoken_then_me_answers_the_tenant_and_role(capsys, client):
    assert run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")[0] == 0
    assert run(capsys, "adduser", "acme", "ana@acme.test", "--admin")[0] == 0
    code, token, _ = run(capsys, "apitoken", "ana@acme.test")
    assert code == 0
    token = token.strip()
    assert token.startswith("mb_") and "\n" not in token

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["tenant"]["slug"] == "acme"
    assert response.json()["role"] == "admin"


def test_the_token_is_stored_only_as_a_hash(capsys):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    run(capsys, "adduser", "acme", "ana@acme.test")
    token = run(capsys, "apitoken", "ana@acme.test")[1].strip()
    stored = ApiToken.objects.get()
    assert token not in (stored.token_hash, stored.hint)
    assert stored.hint == token[:10]


def test_duplicate_tenant_is_an_error_and_changes_nothing(capsys):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    code, _, err = run(capsys, "createtenant", "acme", "--name", "Other", "--domain", "o.test")
    assert code == 2
    assert "already exists" in err
    assert list(Tenant.objects.values_list("name", flat=True)) == ["Acme"]


def test_unknown_tenant_slug_is_an_error(capsys):
    code, _, err = run(capsys, "adduser", "nope", "ana@acme.test")
    assert code == 2
    assert "no tenant 'nope'" in err
    assert not Person.objects.exists()


def test_address_outside_the_domain_is_refused(capsys):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    code, _, err = run(capsys, "adduser", "acme", "bob@other.test")
    assert code == 2
    assert "not in this tenant's domain" in err
    assert not Person.objects.exists()


def test_duplicate_person_is_refused_whatever_the_case(capsys):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    run(capsys, "adduser", "acme", "ana@acme.test")
    code, _, err = run(capsys, "adduser", "acme", "ANA@acme.test")
    assert code == 2
    assert "already has an account" in err
    assert Person.objects.count() == 1


def test_password_from_stdin_lets_the_person_sign_in(capsys, monkeypatch, client):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    code, _, _ = run(
        capsys,
        "adduser",
        "acme",
        "ana@acme.test",
        "--password-stdin",
        stdin="correct horse battery staple\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert client.login(username="ana@acme.test", password="correct horse battery staple")


def test_a_weak_password_is_refused_and_no_person_is_created(capsys, monkeypatch):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    code, _, err = run(
        capsys,
        "adduser",
        "acme",
        "ana@acme.test",
        "--password-stdin",
        stdin="password\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert "too weak" in err
    assert not Person.objects.exists()


def test_apitoken_for_an_unknown_person_is_an_error(capsys):
    code, out, err = run(capsys, "apitoken", "ghost@acme.test")
    assert code == 2
    assert out == ""
    assert "Nobody is registered" in err


def test_invalid_time_zone_is_refused(capsys):
    code, _, err = run(
        capsys,
        "createtenant",
        "acme",
        "--name",
        "Acme",
        "--domain",
        "acme.test",
        "--time-zone",
        "Mars/Olympus",
    )
    assert code == 2
    assert "IANA" in err
    assert not Tenant.objects.exists()


@pytest.mark.parametrize(
    "weak, why",
    [
        ("pw-user0@acme.test", "too similar"),
        ("ana@acme.test", "too similar"),
        ("83749261047", "entirely numeric"),
        ("short1!", "too short"),
    ],
)
def test_passwords_like_the_address_or_all_digits_are_refused(capsys, monkeypatch, weak, why):
    run(capsys, "createtenant", "acme", "--name", "Acme", "--domain", "acme.test")
    email = weak if "@" in weak and weak.startswith("pw-") else "ana@acme.test"
    code, _, err = run(
        capsys,
        "adduser",
        "acme",
        email,
        "--password-stdin",
        stdin=f"{weak}\n",
        monkeypatch=monkeypatch,
    )
    assert code == 2
    assert why in err
    assert not Person.objects.exists()
