from __future__ import annotations

import pytest

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.providers.microsoft import MicrosoftConfig, MicrosoftGraphProvider
from meetbridge.integrations.tokens import TokenCache

USERS = ["adele@contoso.test", "megan@contoso.test", "lee@contoso.test"]


def credential_of(setup) -> dict:
    if setup.secret is not None:
        return {"tenant_id": setup.tenant_id, "client_id": setup.client_id, "client_secret": setup.secret}  # fmt: skip
    return {
        "tenant_id": setup.tenant_id,
        "client_id": setup.client_id,
        "certificate": setup.certificate,
        "private_key": setup.private_key,
    }


@pytest.fixture
def contoso(microsoft):
    return microsoft.quick_setup("contoso.test", USERS)


@pytest.fixture
def make_provider(microsoft):
    made = []

    def make(setup, **overrides):
        records = []
        credential = {**credential_of(setup), **overrides.pop("credential", {})}
        provider = MicrosoftGraphProvider(
            credential=credential,
            credential_key=f"test:{setup.client_id}:{len(made)}",
            config=MicrosoftConfig(
                login_base=microsoft.login_base,
                graph_base=microsoft.graph_base,
                ca_bundle=microsoft.ca_path,
                retry=RetryPolicy(max_attempts=overrides.pop("attempts", 4), base_delay=0.0),
            ),
            observe=records.append,
            tokens=TokenCache(),
            sleep=lambda seconds: None,
        )
        provider.records = records
        made.append(provider)
        return provider

    return make


@pytest.fixture
def provider(make_provider, contoso):
    return make_provider(contoso)
