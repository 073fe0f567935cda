"""The public part of a Microsoft 365 credential, as stored in `Credential.public`: the
contract's `app` block. The client secret or private key is only ever in the sealed secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MicrosoftConf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str = Field(max_length=253)
    client_id: str = Field(max_length=36)
    credential: Literal["secret", "certificate"]
    expires_at: str | None = Field(default=None, max_length=40)
