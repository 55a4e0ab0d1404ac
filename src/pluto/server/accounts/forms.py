"""Forms of the account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from pluto.server.accounts.models import User
from pluto.server.web import lockout


class TokenForm(forms.Form):
    """Name a new API token and, optionally, when it expires."""

    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Where it will be used, e.g. 'laptop R scripts'.",
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Leave empty for a token that does not expire.",
    )


class SignupForm(UserCreationForm):
    """Self sign-up (only when the instance allows it)."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True


class LockoutMessage(AuthenticationForm):
    """Says how long to wait when the lockout (enforced by the backend) refused the attempt."""

    def get_invalid_login_error(self) -> forms.ValidationError:
        attempt = lockout.Attempt.of(self.request, self.cleaned_data.get("username"))
        wait = lockout.minutes_locked(attempt)
        if not wait:
            return super().get_invalid_login_error()
        unit = "minute" if wait == 1 else "minutes"
        return forms.ValidationError(
            f"Too many attempts; try again in {wait} {unit}.", code="locked"
        )


class SignInForm(LockoutMessage):
    """Email and password, refused for a while after repeated failures (see ``lockout``)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Your email and password did not match. Try again.",
        "inactive": "Your email and password did not match. Try again.",
    }


class AdminSignInForm(LockoutMessage, AdminAuthenticationForm):
    """The admin's sign-in form, with the same lockout message."""
