from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetbridge.meetings"
    label = "meetings"
