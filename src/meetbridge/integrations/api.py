"""/api/v1/integration: the tenant's calendar integration (tenant admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from meetbridge.api.errors import ApiError
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.integrations import connection, status
from meetbridge.integrations.failures import SETUP_PROBLEM_STATUS, http_status, retry_headers
from meetbridge.integrations.provider import CredentialError, NotConnected, ProviderError
from meetbridge.tenants.api import admin_caller

router = Router(tags=["integration"])


class ServiceAccountOut(Schema):
    client_email: str
    client_id: str
    project_id: str
    private_key_id: str


class ProblemOut(Schema):
    code: str
    message: str
    fix: str


class IntegrationOut(Schema):
    provider: str | None
    status: str
    service_account: ServiceAccountOut | None
    scopes: list[str]
    checked_at: datetime | None
    problem: ProblemOut | None
    degraded: bool = Field(
        False,
        description="Verified, but the provider's own trouble (unreachable, 5xx, a limit) failed "
        "the latest checks: the integration stays enabled and is checked again.",
    )
    last_success_at: datetime | None = Field(None, description="When a check last passed.")


class IntegrationIn(JsonObjectIn):
    provider: str
    # The downloaded key file: its JSON object, or the file's text.
    service_account_key: dict[str, Any] | str


def key_error(exc: CredentialError) -> ApiError:
    return ApiError(422, exc.code, exc.message)


def provider_error(exc: ProviderError) -> ApiError:
    """A provider failure as an API error, with the status of the one table in `failures`."""
    status = http_status(exc)
    message = exc.message
    if isinstance(exc, NotConnected) or status == SETUP_PROBLEM_STATUS:
        message = f"{exc.message} {exc.fix}".strip()  # a step for whoever sets things up
    error = ApiError(status, exc.code, message)
    error.headers = retry_headers(exc)
    return error


@router.get(
    "/integration",
    response={200: IntegrationOut, 401: ErrorOut, 403: ErrorOut},
    summary="The tenant's calendar integration (never the private key)",
)
def get_integration(request: HttpRequest):
    person = admin_caller(request)
    return status.describe(person.tenant)


@router.put(
    "/integration",
    response={202: IntegrationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Save a service-account key; verification runs in the background",
)
def put_integration(request: HttpRequest, payload: IntegrationIn):
    person = admin_caller(request)
    try:
        connection.save_key(
            tenant=person.tenant,
            actor=person,
            provider=payload.provider,
            raw_key=payload.service_account_key,
        )
    except CredentialError as exc:
        raise key_error(exc) from None
    return Status(202, status.describe(person.tenant))


@router.post(
    "/integration/verify",
    response={202: IntegrationOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Check the saved key again now",
)
def verify_integration(request: HttpRequest):
    person = admin_caller(request)
    try:
        connection.request_check(tenant=person.tenant, actor=person)
    except connection.NothingToCheck as exc:
        raise ApiError(409, exc.code, exc.message) from None
    return Status(202, status.describe(person.tenant))


@router.delete(
    "/integration",
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    summary="Disconnect: the stored key is destroyed",
)
def delete_integration(request: HttpRequest):
    person = admin_caller(request)
    connection.disconnect(tenant=person.tenant, actor=person)
    return Status(204, None)
