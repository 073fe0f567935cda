from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from meetbridge.accounts import tokens
from meetbridge.tenants.rules import RuleViolation
from meetbridge.web.access import member_page


@member_page
def tokens_page(request: HttpRequest) -> HttpResponse:
    person = request.user
    new_token, problem = None, None
    if request.method == "POST":
        if "revoke" in request.POST:
            revoked = request.POST.get("revoke", "")
            if revoked.isdigit() and tokens.revoke(person, int(revoked)):
                messages.success(request, "Token revoked: it stops working at once.")
            return redirect("accounts:api-tokens")
        try:
            _, new_token = tokens.create(
                person,
                name=request.POST.get("name", ""),
                expires_in_days=request.POST.get("expires_in_days") or None,
            )
        except RuleViolation as violation:
            problem = violation.message
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "tokens": tokens.tokens_of(person),
            "new_token": new_token,
            "problem": problem,
            "now": timezone.now(),
            "name": request.POST.get("name", "") if problem else "",
        },
        status=422 if problem else 200,
    )
