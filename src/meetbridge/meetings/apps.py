from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetbridge.meetings"
    label = "meetings"

    def ready(self) -> None:
        # Registers the periodic sweep with huey, for the embedded worker as for `run_huey`.
        from meetbridge.meetings import tasks  # noqa: F401
