"""A small HTML console at `/`: what is in the sandbox, and the two console steps a tenant admin
rehearses — authorising domain-wide delegation and switching the Calendar API on or off — plus
each user's calendar, where they can answer invitations as in Google Calendar."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from . import events
from .google_errors import ApiError
from .state import CALENDAR_SCOPE, Delegation, World
from .timeutil import event_time, now
from .tokens import KNOWN_SCOPES

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Google Workspace sandbox</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin-bottom:1rem}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}
.note{{background:#fff4d6;padding:.5rem}}</style></head><body>
<h1>Google Workspace sandbox</h1>
<p>A local stand-in for Google's token endpoint and Calendar API. Control API under
<code>/_sandbox/v1/</code>. Microsoft 365: <a href="/console/microsoft">its console page</a>.</p>
{notice}
<h2>Workspace domains</h2>{workspaces}
<h2>Cloud projects</h2>{projects}
<h2>Service accounts</h2>{accounts}
<h2>Sign in with Google: OAuth clients</h2>{oauth_clients}
<p>Personal Google accounts (no Workspace, so no <code>hd</code> in their ID tokens):
{consumers}</p>
<h2>Authorise domain-wide delegation</h2>
<form method="post" action="/console/delegation">
<p><label>Domain <select name="domain" required>{domain_options}</select></label></p>
<p><label>Client ID <input name="client_id" required inputmode="numeric" size="25"></label></p>
<p><label>OAuth scopes (comma-separated)
<input name="scopes" required size="60" value="{calendar_scope}"></label></p>
<p><button type="submit">Authorise</button></p>
</form>
</body></html>
"""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>None yet.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _api_toggle(project_id: str, enabled: bool) -> str:
    label = "Disable" if enabled else "Enable"
    return (
        f'{"enabled" if enabled else "disabled"} <form method="post" action="/console/calendar-api" style="display:inline">'
        f'<input type="hidden" name="project_id" value="{escape(project_id)}">'
        f'<input type="hidden" name="enabled" value="{"false" if enabled else "true"}">'
        f'<button type="submit">{label}</button></form>'
    )


def render(world: World, notice: str = "") -> str:
    workspaces = _table(
        ["domain", "users", "delegations (client id: scopes)"],
        [
            [
                escape(w.domain),
                "<br>".join(
                    f'<a href="/console/calendars/{quote(u.email)}">{escape(u.email)}</a>'
                    for u in w.users.values()
                ),
                "<br>".join(
                    f"{escape(d.client_id)}: {escape(' '.join(sorted(d.scopes)))}"
                    for d in w.delegations.values()
                ),
            ]
            for w in world.workspaces.values()
        ],
    )
    projects = _table(
        ["project id", "number", "Calendar API"],
        [
            [
                escape(p.project_id),
                escape(p.number),
                _api_toggle(p.project_id, p.calendar_api_enabled),
            ]
            for p in world.projects.values()
        ],
    )
    accounts = _table(
        ["client email", "client id", "keys", "state"],
        [
            [
                escape(a.client_email),
                escape(a.client_id),
                "<br>".join(escape(k) for k in a.public_keys),
                "deleted" if a.deleted else "disabled" if a.disabled else "active",
            ]
            for a in world.service_accounts.values()
        ],
    )
    oauth_clients = _table(
        ["client id", "authorised redirect URIs"],
        [
            [escape(c.client_id), "<br>".join(escape(u) for u in c.redirect_uris)]
            for c in world.oauth_clients.values()
        ],
    )
    consumers = ", ".join(escape(e) for e in world.consumer_accounts) or "none"
    options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>' for d in world.workspaces)
    return PAGE.format(
        oauth_clients=oauth_clients,
        consumers=consumers,
        notice=f'<p class="note">{escape(notice)}</p>' if notice else "",
        workspaces=workspaces,
        projects=projects,
        accounts=accounts,
        domain_options=options,
        calendar_scope=CALENDAR_SCOPE,
    )


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(render(request.app.state.world, request.query_params.get("notice", "")))


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode(errors="replace")
    return {k: v[-1].strip() for k, v in parse_qs(raw).items()}


def _back(notice: str) -> RedirectResponse:
    from urllib.parse import urlencode

    return RedirectResponse("/?" + urlencode({"notice": notice}), status_code=303)


async def authorise_delegation(request: Request):
    world: World = request.app.state.world
    form = await _form(request)
    workspace = world.workspaces.get(form.get("domain", "").lower())
    client_id = form.get("client_id", "")
    scopes = frozenset(
        s.strip() for s in form.get("scopes", "").replace(" ", ",").split(",") if s.strip()
    )
    if workspace is None:
        return _back("Choose an existing Workspace domain.")
    if not client_id.isdigit():
        return _back("The client ID is the service account's numeric Unique ID.")
    if not scopes or not scopes <= KNOWN_SCOPES:
        return _back("Enter known OAuth scopes, for example " + CALENDAR_SCOPE)
    workspace.delegations[client_id] = Delegation(
        client_id=client_id, scopes=scopes, effective_at=0
    )
    return _back(f"Client {client_id} is authorised in {workspace.domain}.")


async def toggle_calendar_api(request: Request):
    world: World = request.app.state.world
    form = await _form(request)
    project = world.projects.get(form.get("project_id", ""))
    if project is None:
        return _back("No such project.")
    project.calendar_api_enabled = form.get("enabled") == "true"
    state = "enabled" if project.calendar_api_enabled else "disabled"
    return _back(f"The Calendar API is {state} in {project.project_id}.")


CALENDAR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · Google Workspace sandbox</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin-bottom:1rem}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}}
.note{{background:#fff4d6;padding:.5rem}}</style></head><body>
<p><a href="/">Back to the console</a></p>
<h1>{title}</h1>
{notice}{events}
</body></html>
"""


def _when(event: dict, zone) -> str:
    """The first occurrence, in the calendar owner's zone, as their Google Calendar shows it."""
    start, _, all_day = event_time(event.get("start", {}), zone)
    if all_day:
        return f"{start:%a %d %b %Y} (all day)"
    end, _, _ = event_time(event.get("end", {}), zone)
    start, end = start.astimezone(zone), end.astimezone(zone)
    return f"{start:%a %d %b %Y %H:%M}–{end:%H:%M}"


def _answer_form(email: str, event: dict) -> str:
    mine = next((a for a in event.get("attendees", []) if a.get("self")), None)
    if mine is None or mine.get("organizer") or event.get("status") == "cancelled":
        return ""
    options = "".join(
        f'<option value="{r}"{" selected" if r == mine.get("responseStatus") else ""}>{r}</option>'
        for r in events.RESPONSES
    )
    return (
        f'<form method="post" action="/console/calendars/{quote(email)}/respond">'
        f'<input type="hidden" name="event_id" value="{escape(event["id"])}">'
        f'<label>Your answer <select name="response">{options}</select></label> '
        '<button type="submit">Answer</button></form>'
    )


def render_calendar(world: World, email: str, notice: str = "") -> str:
    zone = world.calendar_zone(email)
    items = sorted(
        (events.view(stored, email) for stored in world.calendars[email].values()),
        key=lambda e: event_time(e.get("start", {}), zone)[0],
    )
    rows = [
        [
            escape(e.get("summary", "(no title)"))
            + (" <em>(recurring)</em>" if e.get("recurrence") else ""),
            escape(_when(e, zone)),
            escape(e.get("status", ""))
            + (", shown as free" if e.get("transparency") == "transparent" else ""),
            escape(e.get("organizer", {}).get("email", "")),
            "<br>".join(
                f"{escape(a['email'])}: {escape(a.get('responseStatus', ''))}"
                for a in e.get("attendees", [])
            ),
            _answer_form(email, e),
        ]
        for e in items
    ]
    return CALENDAR_PAGE.format(
        title=escape(f"Calendar of {email} ({zone.key})"),
        notice=f'<p class="note">{escape(notice)}</p>' if notice else "",
        events=_table(["event", "when", "status", "organizer", "guests", ""], rows),
    )


async def calendar_page(request: Request) -> HTMLResponse:
    world: World = request.app.state.world
    email = request.path_params["email"].lower()
    if world.user(email) is None:
        return HTMLResponse(f"<p>{escape(email)} is not a sandbox user.</p>", status_code=404)
    notice = request.query_params.get("notice", "")
    return HTMLResponse(render_calendar(world, email, notice))


async def answer_invitation(request: Request):
    world: World = request.app.state.world
    email = request.path_params["email"].lower()
    form = await _form(request)
    try:
        events.respond(world, email, form.get("event_id", ""), form.get("response", ""), now=now())
        notice = "Answer saved."
    except ApiError as error:
        notice = error.message
    from urllib.parse import urlencode

    return RedirectResponse(
        f"/console/calendars/{quote(email)}?" + urlencode({"notice": notice}), status_code=303
    )


routes = [
    Route("/", page, methods=["GET"]),
    Route("/console/calendars/{email}", calendar_page, methods=["GET"]),
    Route("/console/calendars/{email}/respond", answer_invitation, methods=["POST"]),
    Route("/console/delegation", authorise_delegation, methods=["POST"]),
    Route("/console/calendar-api", toggle_calendar_api, methods=["POST"]),
]
