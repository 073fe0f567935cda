"""How provider API calls travel: one urllib3 pool per CA bundle, requests behind a proxy."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from meetbridge.integrations import http as provider_http
from meetbridge.integrations import transport
from meetbridge.integrations.http import api_transport, pooled_session


@pytest.fixture(autouse=True)
def _fresh_transports(monkeypatch):
    """Transports and sessions made here (some under a test's environment) stay here."""
    monkeypatch.setattr(transport, "_transports", {})
    monkeypatch.setattr(provider_http, "_sessions", {})


class _Recorder(BaseHTTPRequestHandler):
    seen: list[tuple[str, str, dict, bytes]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        type(self).seen.append((self.command, self.path, dict(self.headers), body))
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps({"ok": True}).encode()
        self.send_response(429 if self.path.startswith("/slow") else 200)
        self.send_header("retry-after", "7")  # lower case, as HTTP/2 gateways send it
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    _Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.seen
    httpd.shutdown()
    httpd.server_close()


def send(url: str, **extra):
    arguments = {"params": None, "body": None, "headers": {}, "timeout": (2.0, 5.0)} | extra
    return api_transport().send(
        "POST" if arguments["body"] is not None else "GET", url, **arguments
    )


def test_one_pool_per_certificate_authority_and_the_environment_cannot_swap_it(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    own = api_transport(str(bundle))
    assert own is api_transport(str(bundle))
    assert own is not api_transport()
    assert isinstance(own, transport.PooledTransport)
    session = pooled_session(str(bundle))  # the token endpoints' requests session, likewise
    assert session is pooled_session(str(bundle))
    assert session is not pooled_session()
    assert session.verify == str(bundle) and session.trust_env is False


def test_a_proxy_named_by_the_environment_is_used_through_requests(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    through = api_transport()
    assert isinstance(through, transport.SessionTransport)
    assert through._session is pooled_session()


def test_query_json_body_and_headers_travel_as_requests_sent_them(server):
    url, seen = server
    answer = send(
        f"{url}/calendar/v3/freeBusy",
        params={"timeMin": "2030-01-07T10:00:00+01:00", "q": "a b"},
        body={"items": [{"id": "ana@acme.test"}], "note": "café"},
        headers={"Authorization": "Bearer tok"},
    )
    assert answer.status_code == 200 and json.loads(answer.content) == {"ok": True}
    [(method, path, headers, body)] = seen
    assert method == "POST"
    assert path == "/calendar/v3/freeBusy?timeMin=2030-01-07T10%3A00%3A00%2B01%3A00&q=a+b"
    assert headers["Authorization"] == "Bearer tok"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == transport.USER_AGENT
    assert json.loads(body) == {"items": [{"id": "ana@acme.test"}], "note": "café"}


def test_header_names_are_found_in_any_case(server):
    url, _ = server
    answer = send(f"{url}/slow")
    assert answer.status_code == 429
    assert answer.headers.get("Retry-After") == "7"


def test_a_redirect_is_answered_not_followed_so_the_token_stays_put(server):
    url, seen = server
    answer = send(f"{url}/moved", headers={"Authorization": "Bearer tok"})
    assert answer.status_code == 302
    assert [path for _, path, _, _ in seen] == ["/moved"]


def test_no_answer_is_a_transport_error(server):
    url, _ = server
    dead = url.rsplit(":", 1)[0] + ":1"  # nothing listens on port 1
    with pytest.raises(transport.TRANSPORT_ERRORS):
        send(dead + "/x")
    assert issubclass(requests.ConnectionError, transport.TRANSPORT_ERRORS)
