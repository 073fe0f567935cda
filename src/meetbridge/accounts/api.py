"""/api/v1/me/tokens: the caller's personal API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from meetbridge.accounts import tokens
from meetbridge.api.auth import caller
from meetbridge.api.errors import not_found
from meetbridge.api.schemas import ErrorOut, JsonObjectIn

router = Router(tags=["people"])


class TokenIn(JsonObjectIn):
    name: str
    expires_in_days: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class NewTokenOut(Schema):
    id: int
    name: str
    token: str
    hint: str
    created_at: datetime
    expires_at: datetime | None


@router.get("/me/tokens", response={200: list[TokenOut], 401: ErrorOut}, summary="Your API tokens")
def list_tokens(request: HttpRequest):
    return tokens.tokens_of(caller(request))


@router.post(
    "/me/tokens",
    response={201: NewTokenOut, 401: ErrorOut, 422: ErrorOut},
    summary="Create an API token (shown once)",
)
def create_token(request: HttpRequest, body: TokenIn):
    token, raw = tokens.create(
        caller(request), name=body.name, expires_in_days=body.expires_in_days
    )
    return Status(
        201,
        {
            "id": token.id,
            "name": token.name,
            "token": raw,
            "hint": token.hint,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
        },
    )


@router.delete(
    "/me/tokens/{token_id}",
    response={204: None, 401: ErrorOut, 404: ErrorOut},
    summary="Revoke an API token",
)
def revoke_token(request: HttpRequest, token_id: int):
    if not tokens.revoke(caller(request), token_id):
        raise not_found("That token")
    return Status(204, None)
