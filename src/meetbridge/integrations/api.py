"""/api/v1/integration: the tenant's calendar integration (tenant admins only)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field, create_model

from meetbridge.api.errors import ApiError
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.integrations import connection, registry
from meetbridge.integrations.failures import SETUP_PROBLEM_STATUS, http_status, retry_headers
from meetbridge.integrations.provider import CredentialError, NotConnected, ProviderError
from meetbridge.integrations.status import describe
from meetbridge.tenants.api import admin_caller

router = Router(tags=["integration"])


class ProblemOut(Schema):
    code: str
    message: str
    fix: str


class IntegrationBase(Schema):
    provider: str | None
    status: str
    scopes: list[str]
    checked_at: datetime | None
    problem: ProblemOut | None
    degraded: bool = Field(
        False,
        description="Verified, but the provider's own trouble (unreachable, 5xx, a limit) failed "
        "the latest checks: the integration stays enabled and is checked again.",
    )
    last_success_at: datetime | None = Field(None, description="When a check last passed.")


# One block of public identifiers per provider (`service_account` for Google, `app` for
# Microsoft), typed by the provider's own conf; the blocks of the other providers are null.
IntegrationOut = create_model(
    "IntegrationOut",
    __base__=IntegrationBase,
    **{kind.api_field: (kind.conf | None, None) for kind in registry.all_kinds()},
)


class IntegrationIn(JsonObjectIn):
    """`provider`, and that provider's credential fields (see the route's description)."""

    model_config = ConfigDict(extra="allow")

    provider: str


def _put_description() -> str:
    shapes = "; ".join(f"`{kind.name}`: {kind.api_input}" for kind in registry.all_kinds())
    return (
        "Body: `provider` and that provider's credential. "
        f"{shapes}. Answers 202 with the integration, `status` `pending`: verification runs "
        "in the background. A malformed credential answers 422 and stores nothing."
    )


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
    return describe(person.tenant)


@router.put(
    "/integration",
    response={202: IntegrationOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Save the calendar credential; verification runs in the background",
    description=_put_description(),
)
def put_integration(request: HttpRequest, payload: IntegrationIn):
    person = admin_caller(request)
    kind = registry.kind(payload.provider)
    try:
        connection.save_key(
            tenant=person.tenant,
            actor=person,
            provider=kind.name,
            raw_key=kind.credential_from_api(payload.model_dump()),
        )
    except CredentialError as exc:
        raise key_error(exc) from None
    return Status(202, describe(person.tenant))


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
    return Status(202, describe(person.tenant))


@router.delete(
    "/integration",
    response={204: None, 401: ErrorOut, 403: ErrorOut},
    summary="Disconnect: the stored key is destroyed",
)
def delete_integration(request: HttpRequest):
    person = admin_caller(request)
    connection.disconnect(tenant=person.tenant, actor=person)
    return Status(204, None)
