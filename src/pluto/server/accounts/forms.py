"""Forms of the account pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm

from pluto.server.accounts.models import User


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
