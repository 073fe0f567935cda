"""Google's error bodies, word for word: the OAuth token endpoint's and the Calendar API's."""

from __future__ import annotations

from dataclasses import dataclass

UNAUTHORIZED_CLIENT = (
    "Client is unauthorized to retrieve access tokens using this method, "
    "or client not authorized for any of the scopes requested."
)
INVALID_SUBJECT = "Invalid email or User ID"
INVALID_SIGNATURE = "Invalid JWT Signature."
BAD_TIMEFRAME = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)
INVALID_SCOPE = "Invalid OAuth scope or ID token audience provided."
FAILED_AUDIENCE = "Invalid JWT: Failed audience check."
DISABLED_CLIENT = "The OAuth client was disabled."
DELETED_CLIENT = "The OAuth client was deleted."


@dataclass
class TokenError(Exception):
    """A refusal of the token endpoint: `{"error": code, "error_description": description}`."""

    status: int
    code: str
    description: str

    def body(self) -> dict:
        return {"error": self.code, "error_description": self.description}


def unauthorized_client() -> TokenError:
    return TokenError(401, "unauthorized_client", UNAUTHORIZED_CLIENT)


def invalid_grant(description: str) -> TokenError:
    return TokenError(400, "invalid_grant", description)


@dataclass
class ApiError(Exception):
    """A Calendar API error: `{"error": {"code", "message", "errors": [...], ...}}`."""

    status: int
    reason: str
    message: str
    domain: str = "global"
    extra: dict | None = None  # top-level additions such as `status` and `details`
    item_extra: dict | None = None  # additions to the single `errors` item

    def body(self) -> dict:
        item = {"domain": self.domain, "reason": self.reason, "message": self.message}
        item.update(self.item_extra or {})
        error = {"code": self.status, "message": self.message, "errors": [item]}
        error.update(self.extra or {})
        return {"error": error}


def not_found() -> ApiError:
    return ApiError(404, "notFound", "Not Found")


def deleted() -> ApiError:
    return ApiError(410, "deleted", "Resource has been deleted")


def duplicate() -> ApiError:
    return ApiError(409, "duplicate", "The requested identifier already exists.")


def invalid_id() -> ApiError:
    return ApiError(400, "invalid", "Invalid resource id value.")


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid", message)


def required(message: str) -> ApiError:
    return ApiError(400, "required", message)


def parse_error() -> ApiError:
    return ApiError(400, "parseError", "Parse Error")


def time_range_empty() -> ApiError:
    return ApiError(400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar")


def time_range_too_long() -> ApiError:
    return ApiError(
        400, "timeRangeTooLong", "The requested time range is too long.", domain="calendar"
    )


def invalid_credentials() -> ApiError:
    return ApiError(
        401,
        "authError",
        "Invalid Credentials",
        extra={"status": "UNAUTHENTICATED"},
        item_extra={"location": "Authorization", "locationType": "header"},
    )


def insufficient_scopes() -> ApiError:
    return ApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        extra={
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": {"service": "calendar-json.googleapis.com"},
                }
            ],
        },
    )


def api_not_enabled(project_number: str) -> ApiError:
    url = (
        "https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview"
        f"?project={project_number}"
    )
    message = (
        f"Google Calendar API has not been used in project {project_number} before or it is "
        f"disabled. Enable it by visiting {url} then retry. If you enabled this API recently, "
        "wait a few minutes for the action to propagate to our systems and retry."
    )
    return ApiError(
        403,
        "accessNotConfigured",
        message,
        domain="usageLimits",
        item_extra={"extendedHelp": "https://console.developers.google.com"},
        extra={
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "service": "calendar-json.googleapis.com",
                        "consumer": f"projects/{project_number}",
                        "serviceTitle": "Google Calendar API",
                        "activationUrl": url,
                        "containerInfo": project_number,
                    },
                },
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [
                        {"description": "Google developers console API activation", "url": url}
                    ],
                },
            ],
        },
    )


def user_rate_limited() -> ApiError:
    return ApiError(403, "userRateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")


def project_rate_limited() -> ApiError:
    return ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")


def usage_limits_exceeded() -> ApiError:
    return ApiError(403, "quotaExceeded", "Calendar usage limits exceeded.", domain="usageLimits")


def forbidden_for_service_accounts() -> ApiError:
    return ApiError(
        403,
        "forbiddenForServiceAccounts",
        "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority.",
        domain="calendar",
    )


def backend_error(status: int = 503) -> ApiError:
    return ApiError(status, "backendError", "Backend Error")
