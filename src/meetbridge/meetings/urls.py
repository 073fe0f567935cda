from django.urls import path

from meetbridge.meetings import views

app_name = "meetings"

urlpatterns = [
    path("meetings", views.meeting_list, name="list"),
    path("meetings/new", views.new_meeting, name="new"),
    path("meetings/<str:meeting_id>/reschedule", views.reschedule_meeting, name="reschedule"),
    path("meetings/<str:meeting_id>/cancel", views.cancel_meeting, name="cancel"),
    path("meetings/<str:meeting_id>.ics", views.meeting_ics_file, name="ics"),
]
