"""The Django admin for staff: users and tokens (never the keys themselves)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pluto.server.accounts.forms import AdminSignInForm
from pluto.server.accounts.models import ApiToken, User

# The admin's sign-in page is a door to staff accounts: it tells of the lockout like the site's.
admin.site.login_form = AdminSignInForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "masked", "created_at", "last_used_at", "expires_at")
    readonly_fields = ("user", "prefix", "last_four", "created_at", "last_used_at")
    exclude = ("key_hash",)
    search_fields = ("name", "user__email")

    def has_add_permission(self, request: object) -> bool:
        return False
