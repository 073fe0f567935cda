from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from meetbridge.api.app import api
from meetbridge.security.admin import AdminSignInForm
from meetbridge.web.views import api_route_not_found

admin.site.login_form = AdminSignInForm  # throttled like sign-in

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", api_route_not_found),
    # Off in production unless MEETBRIDGE_ADMIN_ENABLED=1 (docs/operator-guide.md).
    *([path("admin/", admin.site.urls)] if settings.MEETBRIDGE_ADMIN_ENABLED else []),
    path("", include("meetbridge.web.urls")),
    path("", include("meetbridge.accounts.urls")),
    path("", include("meetbridge.integrations.urls")),
    path("", include("meetbridge.scheduling.urls")),
    path("", include("meetbridge.meetings.urls")),
]

handler500 = "meetbridge.api.outage.server_error"
