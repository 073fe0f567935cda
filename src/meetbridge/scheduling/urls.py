from django.urls import path

from meetbridge.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("me/calendar", views.calendar_access, name="calendar-access"),
    path("availability", views.availability, name="availability"),
]
