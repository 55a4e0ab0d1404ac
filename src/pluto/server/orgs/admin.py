"""The Django admin for staff: organizations, their members and teams."""

from __future__ import annotations

from django.contrib import admin

from pluto.server.orgs.models import (
    Organization,
    OrganizationInvitation,
    OrganizationMember,
    Team,
    TeamMember,
)


class OrganizationMemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "uuid", "personal_of", "created_at"]
    search_fields = ["name", "uuid"]
    inlines = [OrganizationMemberInline]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "created_at"]
    inlines = [TeamMemberInline]


@admin.register(OrganizationInvitation)
class OrganizationInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at"]
    search_fields = ["email"]
