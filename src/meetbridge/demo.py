"""The demo tenant local mode seeds, so a newcomer can sign in straight away."""

from __future__ import annotations

DEMO_SLUG = "demo"
DEMO_DOMAIN = "demo.test"
DEMO_PASSWORD = "demo-password-1"  # local mode only; production never seeds
DEMO_PEOPLE = [
    ("ana@demo.test", "Ana Admin", True),
    ("ben@demo.test", "Ben Member", False),
]


def seed_demo(*, sandbox_url: str) -> list[tuple[str, str, str]]:
    from meetbridge.tenants.models import Person, Tenant
    from meetbridge.tenants.service import add_person, create_tenant

    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first() or create_tenant(
        slug=DEMO_SLUG, name="Demo Co", domain=DEMO_DOMAIN, time_zone="America/Toronto"
    )
    sign_ins = []
    for email, name, admin in DEMO_PEOPLE:
        if not Person.objects.filter(email=email).exists():
            add_person(tenant=tenant, email=email, name=name, admin=admin, password=DEMO_PASSWORD)
        sign_ins.append((email, DEMO_PASSWORD, "tenant admin" if admin else "member"))
    return sign_ins
