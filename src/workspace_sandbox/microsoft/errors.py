"""Microsoft's error bodies, word for word where Microsoft's own are known: Entra ID's token
endpoint (`AADSTS` codes) and Microsoft Graph's `{"error": {"code", "message", "innerError"}}`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

ERROR_URI = "https://login.microsoftonline.com/error?code={code}"

# Entra ID (after `AADSTS<n>: `).
TENANT_NOT_FOUND = (
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
    "signing into the correct cloud. Check with your subscription administrator, this may "
    "happen if there are no active subscriptions for the tenant."
)
APP_NOT_FOUND = (
    "Application with identifier '{app_id}' was not found in the directory '{tenant}'. This can "
    "happen if the application has not been installed by the administrator of the tenant or "
    "consented to by any user in the tenant. You may have sent your authentication request to "
    "the wrong tenant."
)
INVALID_SECRET = (
    "Invalid client secret provided. Ensure the secret being sent in the request is the client "
    "secret value, not the client secret ID, for a secret added to app '{app_id}'."
)
EXPIRED_SECRET = (
    "The provided client secret keys for app '{app_id}' are expired. Visit the Azure portal to "
    "create new keys for your app: https://aka.ms/NewClientSecret, or consider using "
    "certificate credentials for added security: https://aka.ms/certCreds."
)
KEY_NOT_FOUND = (
    "Client assertion contains an invalid signature. [Reason - The key was not found., "
    "Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph "
    "Explorer or directly use MS Graph to see configured keys for app Id '{app_id}'. Review the "
    "documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the "
    "corresponding service endpoint and "
    "https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http "
    "to build a query request URL, such as "
    "'https://graph.microsoft.com/beta/applications/{app_id}'.]"
)
BAD_SIGNATURE = (
    "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key "
    "to verify the signature failed., Thumbprint of key used by client: '{thumbprint}', Found "
    "key 'Start={start}, End={end}', Please visit the Azure Portal, Graph Explorer or directly "
    "use MS Graph to see configured keys for app Id '{app_id}'.]"
)
APP_DISABLED = "Application '{app_id}'({name}) is disabled."
INVALID_SCOPE = "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
NO_CREDENTIAL = (
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
)
UNSUPPORTED_GRANT = "The app requested an unsupported grant type '{grant}'."
MISSING_PARAMETER = "The request body must contain the following parameter: '{name}'."
ASSERTION_TIME = "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}."
ASSERTION_AUDIENCE = "The audience claim value is invalid '{aud}'."
ASSERTION_ISSUER = "The client assertion must have the issuer and subject set to the client id."
ASSERTION_MALFORMED = "JWT token is invalid or malformed."
# Sign-in (authorization endpoint and the authorization-code grant).
REDIRECT_MISMATCH = (
    "The redirect URI '{uri}' specified in the request does not match the redirect URIs "
    "configured for the application '{app_id}'. Make sure the redirect URI sent in the request "
    "matches one added to your application in the Azure portal. Navigate to "
    "https://aka.ms/redirectUriMismatchError to learn more about how to fix this."
)
NOT_IN_TENANT = (
    "User account '{email}' from identity provider '{idp}' does not exist in tenant '{tenant}' "
    "and cannot access the application '{app_id}'({name}) in that tenant. The account needs to "
    "be added as an external user in the tenant first. Sign out and sign in again with a "
    "different Azure Active Directory user account."
)
DECLINED = "User declined to consent to access the app."
CODE_REDEEMED = (
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use "
    "an existing refresh token."
)
CODE_EXPIRED = (
    "The provided authorization code or refresh token has expired due to inactivity. Send a new "
    "interactive authorization request for this user and resource."
)
CODE_MALFORMED = "Invalid request. Request is malformed or invalid."
REPLY_MISMATCH = (
    "The reply address '{got}' does not match the reply address '{expected}' provided when "
    "requesting Authorization code."
)
PKCE_MISMATCH = (
    "The Code_Verifier does not match the code_challenge supplied in the authorization request."
)


@dataclass
class EntraError(Exception):
    """A refusal of the token endpoint, shaped as Entra ID answers it."""

    status: int
    error: str
    code: int
    text: str
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def body(self) -> dict:
        moment = datetime.now(UTC)
        stamp = moment.strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.text}\r\nTrace ID: {self.trace_id}"
            f"\r\nCorrelation ID: {self.correlation_id}\r\nTimestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": ERROR_URI.format(code=self.code),
        }


def tenant_not_found(tenant: str) -> EntraError:
    return EntraError(400, "invalid_tenant", 90002, TENANT_NOT_FOUND.format(tenant=tenant))


def app_not_found(app_id: str, tenant: str) -> EntraError:
    return EntraError(
        400, "unauthorized_client", 700016, APP_NOT_FOUND.format(app_id=app_id, tenant=tenant)
    )


def app_disabled(app_id: str, name: str) -> EntraError:
    return EntraError(
        400, "unauthorized_client", 7000112, APP_DISABLED.format(app_id=app_id, name=name)
    )


def invalid_secret(app_id: str) -> EntraError:
    return EntraError(401, "invalid_client", 7000215, INVALID_SECRET.format(app_id=app_id))


def expired_secret(app_id: str) -> EntraError:
    return EntraError(401, "invalid_client", 7000222, EXPIRED_SECRET.format(app_id=app_id))


def key_not_found(app_id: str, thumbprint: str) -> EntraError:
    return EntraError(
        401,
        "invalid_client",
        700027,
        KEY_NOT_FOUND.format(app_id=app_id, thumbprint=thumbprint),
    )


def bad_signature(app_id: str, thumbprint: str, start: str, end: str) -> EntraError:
    return EntraError(
        401,
        "invalid_client",
        700027,
        BAD_SIGNATURE.format(app_id=app_id, thumbprint=thumbprint, start=start, end=end),
    )


def invalid_scope(scope: str) -> EntraError:
    return EntraError(400, "invalid_scope", 70011, INVALID_SCOPE.format(scope=scope))


def no_credential() -> EntraError:
    return EntraError(401, "invalid_client", 7000218, NO_CREDENTIAL)


def invalid_assertion(text: str, code: int = 50027) -> EntraError:
    return EntraError(401, "invalid_client", code, text)


# Microsoft Graph.
ACCESS_DENIED = "Access is denied. Check credentials and try again."
ODATA_DISABLED = "Access to OData is disabled."
ITEM_NOT_FOUND = "The specified object was not found in the store."
INVALID_USER = "The requested user '{user}' is invalid."
MAILBOX_NOT_ENABLED = "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
TOO_MANY_SCHEDULES = (
    "There are too many target users in the EmailAddress array. The allowed size = 100; the "
    "actual size = {size}."
)
CONCURRENCY = "Application is over its MailboxConcurrency limit."
NOT_ORGANIZER = "Your request can't be completed. You need to be an organizer to cancel a meeting."
UNRESOLVABLE = "Unable to resolve e-mail address {email} to an Active Directory object."


@dataclass
class GraphError(Exception):
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self, client_request_id: str = "") -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                    "request-id": str(uuid.uuid4()),
                    "client-request-id": client_request_id or str(uuid.uuid4()),
                },
            }
        }


def access_denied() -> GraphError:
    return GraphError(403, "ErrorAccessDenied", ACCESS_DENIED)


def outside_policy() -> GraphError:
    return GraphError(403, "ErrorAccessDenied", ODATA_DISABLED)


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", ITEM_NOT_FOUND)


def invalid_user(user: str) -> GraphError:
    return GraphError(404, "ErrorInvalidUser", INVALID_USER.format(user=user))


def mailbox_not_enabled() -> GraphError:
    return GraphError(404, "MailboxNotEnabledForRESTAPI", MAILBOX_NOT_ENABLED)


def throttled(retry_after: int, message: str = CONCURRENCY) -> GraphError:
    return GraphError(
        429, "ApplicationThrottled", message, headers={"Retry-After": str(retry_after)}
    )


def bad_request(message: str, code: str = "ErrorInvalidRequest") -> GraphError:
    return GraphError(400, code, message)


def unauthenticated(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message)
