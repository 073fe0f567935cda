import pytest

from meetbridge.mail.url import EmailUrlError, parse_email_url


def test_plain_smtp_with_default_port():
    conf = parse_email_url("smtp://mail.example.com")
    assert conf["EMAIL_HOST"] == "mail.example.com" and conf["EMAIL_PORT"] == 25
    assert not conf["EMAIL_USE_TLS"] and not conf["EMAIL_USE_SSL"]


def test_starttls_with_percent_encoded_credentials_and_sender():
    conf = parse_email_url(
        "smtp+tls://me%40example.com:p%3Ass%2Fw@smtp.example.com:587?from=mb@example.com"
    )
    assert conf["EMAIL_HOST_USER"] == "me@example.com"
    assert conf["EMAIL_HOST_PASSWORD"] == "p:ss/w"
    assert conf["EMAIL_PORT"] == 587 and conf["EMAIL_USE_TLS"]
    assert conf["DEFAULT_FROM_EMAIL"] == "mb@example.com"


def test_implicit_tls():
    conf = parse_email_url("smtp+ssl://smtp.example.com")
    assert conf["EMAIL_PORT"] == 465 and conf["EMAIL_USE_SSL"]


@pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://host:port", "mailto:a@b"])
def test_unusable_urls_say_what_to_write_without_echoing_secrets(url):
    with pytest.raises(EmailUrlError) as refused:
        parse_email_url(url)
    assert "EMAIL_URL" in str(refused.value)


def test_the_password_is_never_in_the_error():
    with pytest.raises(EmailUrlError) as refused:
        parse_email_url("smtp://user:sekret@host:notaport")
    assert "sekret" not in str(refused.value)
