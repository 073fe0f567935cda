from __future__ import annotations

import pytest
import requests


class Graph:
    """Raw Graph calls with an app-only token, as any HTTP client would make them."""

    def __init__(self, microsoft, setup):
        self.microsoft, self.setup = microsoft, setup
        self.http = requests.Session()
        self.http.trust_env = False  # the sandbox's CA, not the system bundle from the environment
        self.http.verify = microsoft.ca_path
        self.token = self.new_token()

    def new_token(self) -> str:
        response = self.token_request(
            client_id=self.setup.client_id,
            client_secret=self.setup.secret,
            scope="https://graph.microsoft.com/.default",
            grant_type="client_credentials",
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self.token

    def token_request(self, tenant=None, **form):
        url = f"{self.microsoft.login_base}/{tenant or self.setup.tenant_id}/oauth2/v2.0/token"
        return self.http.post(url, data={k: v for k, v in form.items() if v is not None})

    def call(self, method, path, body=None, headers=None, **params):
        return self.http.request(
            method,
            f"{self.microsoft.graph_base}/v1.0{path}",
            json=body,
            params=params or None,
            headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
        )


@pytest.fixture
def contoso(microsoft):
    return microsoft.quick_setup(
        "contoso.test", ["adele@contoso.test", "megan@contoso.test", "lee@contoso.test"]
    )


@pytest.fixture
def graph(microsoft, contoso) -> Graph:
    return Graph(microsoft, contoso)
