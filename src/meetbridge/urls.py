from django.contrib import admin
from django.urls import include, path, re_path

from meetbridge.api.app import api
from meetbridge.web.views import api_route_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", api_route_not_found),
    path("admin/", admin.site.urls),
    path("", include("meetbridge.web.urls")),
    path("", include("meetbridge.integrations.urls")),
    path("", include("meetbridge.scheduling.urls")),
    path("", include("meetbridge.meetings.urls")),
]

handler500 = "meetbridge.api.outage.server_error"
