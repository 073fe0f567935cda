"""The public part of a Google credential, as stored in `Credential.public`: a typed conf.

These four identifiers are what pages, the API and the audit log may show of a service-account
key; the private key itself is only ever in the sealed secret.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GoogleConf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    client_email: str = Field(max_length=254)
    client_id: str = Field(max_length=32)
    project_id: str = Field(max_length=100)
    private_key_id: str = Field(max_length=64)
