"""The control API's sign-in steps under /_sandbox/v1/microsoft/: an app registration's
"Authentication" blade (redirect URIs, supported account types), personal Microsoft accounts,
renaming a user (a new address, the same object id), and ID-token faults for tests."""

from __future__ import annotations

import uuid

from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import oidc
from ..control import ControlError, _control, _email, _text
from .control import P, _app, _directory, _mailbox, _member
from .sign_in import ID_TOKEN_FAULTS
from .state import MULTIPLE_ORGS, SIGN_IN_AUDIENCES, Mailbox


def authentication_json(app) -> dict:
    return {
        "client_id": app.client_id,
        "tenant_id": app.tenant_id,
        "redirect_uris": list(app.redirect_uris),
        "sign_in_audience": app.sign_in_audience,
    }


@_control
def set_authentication(request, world, body):
    app = _app(_directory(world), request.path_params["client_id"])
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise ControlError(422, "invalid_field", "`redirect_uris` must be a list of URLs.")
    bad = [u for u in uris if not oidc.is_registrable_redirect(u)]
    if bad:
        raise ControlError(
            422, "invalid_redirect_uri", f"Not an http(s) URL without a fragment: {bad[0]!r}."
        )
    audience = body.get("sign_in_audience", MULTIPLE_ORGS)
    if audience not in SIGN_IN_AUDIENCES:
        raise ControlError(
            422,
            "invalid_field",
            f"`sign_in_audience` must be one of {', '.join(SIGN_IN_AUDIENCES)}.",
        )
    app.redirect_uris, app.sign_in_audience = tuple(uris), audience
    return JSONResponse(authentication_json(app))


@_control
def add_personal_account(request, world, body):
    """A personal Microsoft account (outlook.com-like): its tokens carry Microsoft's
    consumer tenant id, 9188040d-6c67-4c5b-b112-36a304b66dad."""
    d = _directory(world)
    email = _email(_text(body, "email"))
    domain = email.rsplit("@", 1)[1]
    if d.account(email) is not None or d.tenant(domain) is not None:
        raise ControlError(409, "account_exists", f"{email} is already a Microsoft account.")
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    account = Mailbox(email=email, object_id=_personal_object_id(), name=name[:120])
    d.personal_accounts[email] = account
    return JSONResponse({"email": email, "id": account.object_id}, status_code=201)


def _personal_object_id() -> str:
    return "00000000-0000-0000-" + uuid.uuid4().hex[:4] + "-" + uuid.uuid4().hex[:12]


@_control
def rename_user(request, world, body):
    """A new address for a directory user (UPN and mail); the object id stays."""
    tenant, mailbox = _mailbox(_directory(world), request.path_params["email"])
    new = _member(tenant, _text(body, "email"))
    if new != mailbox.email and new in tenant.mailboxes:
        raise ControlError(409, "user_exists", f"{new} already exists.")
    del tenant.mailboxes[mailbox.email]
    mailbox.email = new
    tenant.mailboxes[new] = mailbox
    return JSONResponse({"email": new, "id": mailbox.object_id})


@_control
def set_id_token_fault(request, world, body):
    fault = body.get("fault") or ""
    if fault and fault not in ID_TOKEN_FAULTS:
        raise ControlError(
            422, "invalid_field", f"`fault` must be one of {', '.join(ID_TOKEN_FAULTS)}."
        )
    _directory(world).id_token_fault = fault
    return JSONResponse({"fault": fault})


routes = [
    Route(f"{P}/apps/{{client_id}}/authentication", set_authentication, methods=["PUT"]),
    Route(f"{P}/personal-accounts", add_personal_account, methods=["POST"]),
    Route(f"{P}/mailboxes/{{email}}/address", rename_user, methods=["PUT"]),
    Route(f"{P}/id-token-fault", set_id_token_fault, methods=["PUT"]),
]
