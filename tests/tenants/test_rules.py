"""Pure rules about tenants and people."""

import pytest

from meetbridge.tenants.rules import (
    RuleViolation,
    check_email_in_domain,
    normalise_domain,
    normalise_email,
    normalise_slug,
)


def test_emails_are_compared_case_insensitively():
    assert normalise_email("  Ana@ACME.test ") == "ana@acme.test"


@pytest.mark.parametrize("bad", ["", "ana", "ana@", "@acme.test", "a b@acme.test"])
def test_malformed_emails_are_refused(bad):
    with pytest.raises(RuleViolation) as error:
        normalise_email(bad)
    assert error.value.code == "invalid_email"


def test_an_address_outside_the_domain_cannot_join():
    with pytest.raises(RuleViolation, match="@acme.test") as error:
        check_email_in_domain("bob@other.test", "acme.test")
    assert error.value.code == "outside_domain"


def test_a_subdomain_address_is_not_the_domain():
    with pytest.raises(RuleViolation):
        check_email_in_domain("bob@eu.acme.test", "acme.test")


@pytest.mark.parametrize("bad", ["Acme Inc", "-acme", "acme-", "a" * 51, "ac/me"])
def test_bad_slugs_are_refused(bad):
    with pytest.raises(RuleViolation):
        normalise_slug(bad)


def test_domains_are_normalised_and_checked():
    assert normalise_domain("ACME.test.") == "acme.test"
    with pytest.raises(RuleViolation):
        normalise_domain("not a domain")
