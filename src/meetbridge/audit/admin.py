from django.contrib import admin

from meetbridge.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "tenant", "kind", "operation", "actor_email", "subject_email", "outcome")
    list_filter = ("kind", "outcome")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
