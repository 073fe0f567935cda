"""The public part of a Microsoft credential, as stored in `Credential.public`: the API's `app`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MicrosoftConf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str = Field(max_length=253)
    client_id: str = Field(max_length=36)
    credential: Literal["secret", "certificate"]
    expires_at: datetime | None = None
