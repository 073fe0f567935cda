from django.urls import path

from meetbridge.integrations import views

app_name = "integrations"

urlpatterns = [
    path("settings/integrations", views.page, name="page"),
    path("settings/integrations/status", views.status, name="status"),
    path("settings/integrations/check", views.check, name="check"),
    path("settings/integrations/disconnect", views.disconnect, name="disconnect"),
]
