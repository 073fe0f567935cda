from django.contrib import admin

from meetbridge.tenants.models import ApiToken, Person, Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "domain", "time_zone", "created_at")
    search_fields = ("slug", "name", "domain")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "tenant", "role", "is_active")
    list_filter = ("role", "is_active", "tenant")
    search_fields = ("email", "name")
    exclude = ("password",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("hint", "person", "created_at", "last_used_at")
    readonly_fields = ("token_hash", "hint", "person", "created_at", "last_used_at")
