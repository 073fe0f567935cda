"""The Microsoft 365 page of the sandbox console, `/console/microsoft`: what is in the stand-in,
and the Entra admin steps a tenant admin rehearses — grant or revoke admin consent, set or lift
an application access policy, enable or disable the app, add a client secret."""

from __future__ import annotations

import uuid
from html import escape
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from ..control import ControlError
from . import control
from .state import KNOWN_ROLES, Directory, Secret, Timed

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Microsoft 365 · Workspace sandbox</title>
<style>body{{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin-bottom:1rem}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}}
.note{{background:#fff4d6;padding:.5rem}} form.inline{{display:inline}} fieldset{{margin-bottom:1rem}}</style></head><body>
<p><a href="/">Back to the console</a></p>
<h1>Microsoft 365 stand-in</h1>
<p>Entra ID at <code>{login}</code>, Microsoft Graph at <code>{graph}</code>. Control API under
<code>/_sandbox/v1/microsoft/</code>.</p>
{notice}
<h2>Directories (tenants)</h2>{tenants}
<h2>App registrations</h2>{apps}
<h2>Grant admin consent</h2>
<form method="post" action="/console/microsoft/consent"><fieldset>
<legend>API permissions &gt; Grant admin consent</legend>
<p><label>Directory <select name="tenant_id" required>{tenant_options}</select></label></p>
<p><label>Application (client) ID <input name="client_id" required size="38"></label></p>
<p><label>Application permissions (comma-separated)
<input name="roles" required size="40" value="Calendars.ReadWrite"></label></p>
<p><label>Takes effect after (seconds of sandbox time) <input name="propagation_seconds" value="0" size="6" inputmode="numeric"></label></p>
<p><button type="submit" name="action" value="grant">Grant admin consent</button>
<button type="submit" name="action" value="revoke">Revoke consent</button></p>
</fieldset></form>
<h2>Application access policy</h2>
<form method="post" action="/console/microsoft/access-policy"><fieldset>
<legend>New-ApplicationAccessPolicy -AccessRight RestrictAccess</legend>
<p><label>Directory <select name="tenant_id" required>{tenant_options}</select></label></p>
<p><label>Application (client) ID <input name="client_id" required size="38"></label></p>
<p><label>Mailboxes the app may reach (comma-separated) <input name="allowed" size="60"></label></p>
<p><label>Takes effect after (seconds of sandbox time) <input name="propagation_seconds" value="0" size="6" inputmode="numeric"></label></p>
<p><button type="submit" name="action" value="set">Set policy</button>
<button type="submit" name="action" value="remove">Remove policy</button></p>
</fieldset></form>
</body></html>
"""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>None yet.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _button(action: str, fields: dict[str, str], label: str) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items()
    )
    return f'<form class="inline" method="post" action="{action}">{hidden}<button type="submit">{escape(label)}</button></form>'  # fmt: skip


def render(d: Directory, login: str, graph: str, notice: str = "") -> str:
    now = d.clock.now()
    tenants = _table(
        ["tenant id", "domain", "mailboxes", "admin consent (app: permissions)", "access policies"],
        [
            [
                escape(t.tenant_id),
                escape(t.domain),
                "<br>".join(
                    escape(m.email)
                    + ("" if m.licensed else " (no licence)")
                    + ("" if m.teams else " (no Teams)")
                    for m in t.mailboxes.values()
                ),
                "<br>".join(
                    f"{escape(c)}: {escape(', '.join(sorted(t.roles_of(c, now))) or 'none')}"
                    for c in t.consents
                ),
                "<br>".join(
                    f"{escape(c)}: "
                    + escape("unrestricted" if a is None else ", ".join(sorted(a)) or "nobody")
                    for c in t.policies
                    for a in [t.allowed_for(c, now)]
                ),
            ]
            for t in d.tenants.values()
        ],
    )
    apps = _table(
        [
            "name",
            "application (client) id",
            "directory",
            "secrets (hint, expires)",
            "certificates (thumbprint)",
            "state",
        ],  # fmt: skip
        [
            [
                escape(a.name),
                escape(a.client_id),
                escape(a.tenant_id),
                "<br>".join(
                    f"{escape(s.hint)}… {escape(control._iso(s.expires_at)[:10])}"
                    for s in a.secrets.values()
                )
                + _button(
                    "/console/microsoft/secret", {"client_id": a.client_id}, "New client secret"
                ),
                "<br>".join(escape(c.sha1) for c in a.certificates.values()),
                ("disabled " if a.disabled else "enabled ")
                + _button(
                    "/console/microsoft/app",
                    {"client_id": a.client_id, "disabled": "false" if a.disabled else "true"},
                    "Enable" if a.disabled else "Disable",
                ),
            ]
            for a in d.apps.values()
        ],
    )
    options = "".join(
        f'<option value="{escape(t.tenant_id)}">{escape(t.domain)}</option>'
        for t in d.tenants.values()
    )
    return PAGE.format(
        login=escape(login),
        graph=escape(graph),
        notice=f'<p class="note" role="status">{notice}</p>' if notice else "",
        tenants=tenants,
        apps=apps,
        tenant_options=options,
    )


def _bases(request: Request) -> tuple[str, str]:
    tls = getattr(request.app.state, "tls", None) or {}
    return tls.get("microsoft_login_base", "(no HTTPS port)"), tls.get("microsoft_graph_base", "")


def _page(request: Request, notice_html: str = "") -> HTMLResponse:
    login, graph = _bases(request)
    return HTMLResponse(render(request.app.state.world.microsoft, login, graph, notice_html))


async def page(request: Request) -> HTMLResponse:
    return _page(request, escape(request.query_params.get("notice", "")))


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode(errors="replace")
    return {k: v[-1].strip() for k, v in parse_qs(raw).items()}


def _back(notice: str) -> RedirectResponse:
    return RedirectResponse("/console/microsoft?" + urlencode({"notice": notice}), status_code=303)


def _seconds(form: dict[str, str]) -> float:
    try:
        return max(0.0, float(form.get("propagation_seconds") or 0))
    except ValueError:
        raise ControlError(
            422, "invalid_field", "Enter the delay as a number of seconds."
        ) from None


def _act(action):
    """Runs a control-API step for a console form; its refusal becomes the page's notice."""

    async def endpoint(request: Request):
        form = await _form(request)
        try:
            return action(request, request.app.state.world, form)
        except ControlError as error:
            return _back(error.message)

    return endpoint


def _consent(request, world, form):
    d = world.microsoft
    tenant = control._tenant(d, form.get("tenant_id", ""))
    app = control._app(d, form.get("client_id", ""))
    if form.get("action") == "revoke":
        tenant.consents[app.client_id].append(Timed(frozenset(), d.clock.now()))
        return _back(f"Admin consent for {app.client_id} is revoked in {tenant.domain}.")
    roles = frozenset(r.strip() for r in form.get("roles", "").split(",") if r.strip())
    if not roles or not roles <= KNOWN_ROLES:
        return _back("Enter known application permissions, for example Calendars.ReadWrite.")
    delay = _seconds(form)
    tenant.consents[app.client_id].append(Timed(roles, d.clock.now() + delay))
    when = f" in {delay:g} seconds of sandbox time" if delay else ""
    return _back(f"Admin consent for {', '.join(sorted(roles))} granted to {app.client_id}{when}.")


def _policy(request, world, form):
    d = world.microsoft
    tenant = control._tenant(d, form.get("tenant_id", ""))
    app = control._app(d, form.get("client_id", ""))
    delay = _seconds(form)
    if form.get("action") == "remove":
        tenant.policies[app.client_id].append(Timed(None, d.clock.now() + delay))
        return _back(f"{app.client_id} may reach every mailbox of {tenant.domain} again.")
    allowed = frozenset(control._email(a) for a in form.get("allowed", "").split(",") if a.strip())
    tenant.policies[app.client_id].append(Timed(allowed, d.clock.now() + delay))
    return _back(f"{app.client_id} may reach only {len(allowed)} mailbox(es) of {tenant.domain}.")


def _app_state(request, world, form):
    app = control._app(world.microsoft, form.get("client_id", ""))
    app.disabled = form.get("disabled") == "true"
    return _back(f"{app.name} ({app.client_id}) is {'disabled' if app.disabled else 'enabled'}.")


def _secret(request, world, form):
    d = world.microsoft
    app = control._app(d, form.get("client_id", ""))
    value = control._new_secret_value()
    secret = Secret(
        id=uuid.uuid4().hex, value=value, hint=value[:3], expires_at=d.clock.now() + 180 * 86400
    )  # fmt: skip
    app.secrets[secret.id] = secret
    # Shown once, on this page only, as the Entra admin center does; never in a URL.
    return _page(
        request,
        f"New client secret of {escape(app.client_id)}, shown only now: "
        f'<code id="new-secret">{escape(value)}</code> (expires {escape(control._iso(secret.expires_at)[:10])}).',
    )


routes = [
    Route("/console/microsoft", page, methods=["GET"]),
    Route("/console/microsoft/consent", _act(_consent), methods=["POST"]),
    Route("/console/microsoft/access-policy", _act(_policy), methods=["POST"]),
    Route("/console/microsoft/app", _act(_app_state), methods=["POST"]),
    Route("/console/microsoft/secret", _act(_secret), methods=["POST"]),
]
