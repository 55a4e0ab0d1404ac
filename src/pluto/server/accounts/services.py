"""Rules for users and API tokens: creation, look-up, expiry, deletion."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from pluto.server.accounts import keys
from pluto.server.accounts.models import ApiToken, User
from pluto.server.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound

LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_NAME = 100


@dataclass(frozen=True)
class NewToken:
    """A token just created: the only moment its full key exists outside the caller's hands."""

    token: ApiToken
    key: str


def token_secret() -> str:
    """The HMAC key for token hashes, derived from the instance's secret key."""
    return f"{settings.TOKEN_HASH_SALT}:{settings.SECRET_KEY}"


def normalise_email(email: str) -> str:
    """A trimmed, lower-case email, or ``InvalidInput`` naming the field."""
    cleaned = (email or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as exc:
        raise InvalidInput(
            f"{email!r} is not a valid email address.", details={"field": "email"}
        ) from exc
    return cleaned


def create_user(
    email: str, first_name: str, last_name: str, password: str | None, *, is_staff: bool = False
) -> User:
    """A new user; the password must pass the instance's password rules."""
    cleaned = normalise_email(email)
    if User.objects.filter(email=cleaned).exists():
        raise Conflict(f"A user with email {cleaned} already exists.", details={"field": "email"})
    candidate = User(email=cleaned, first_name=first_name, last_name=last_name)
    if password is not None:
        check_password_rules(password, candidate)
    try:
        return User.objects.create_user(
            cleaned,
            password,
            first_name=first_name,
            last_name=last_name,
            is_staff=is_staff,
            is_superuser=is_staff,
        )
    except IntegrityError as exc:
        raise Conflict(f"A user with email {cleaned} already exists.") from exc


def check_password_rules(password: str, user: User) -> None:
    """Raise ``InvalidInput`` listing every password rule ``password`` breaks."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details={"field": "password"}) from exc


def find_user(email: str) -> User:
    """The user with this email, or ``NotFound``."""
    user = User.objects.filter(email=(email or "").strip().lower()).first()
    if user is None:
        raise NotFound(f"No user has the email {email!r}.", details={"field": "email"})
    return user


def create_token(user: User, name: str, expires_in_days: int | None = None) -> NewToken:
    """A new named token for ``user``; the key is returned once and never stored."""
    clean_name = (name or "").strip()
    if not clean_name:
        raise InvalidInput("Give the token a name.", details={"field": "name"})
    if len(clean_name) > MAX_TOKEN_NAME:
        raise InvalidInput(
            f"Token names are at most {MAX_TOKEN_NAME} characters.", details={"field": "name"}
        )
    expires_at = expiry_from_days(expires_in_days)
    key = keys.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=clean_name,
        key_hash=keys.hash_key(key, token_secret()),
        prefix=key[: len(keys.KEY_PREFIX)],
        last_four=key[-4:],
        expires_at=expires_at,
    )
    return NewToken(token=token, key=key)


def expiry_from_days(days: int | None) -> datetime | None:
    """The expiry time ``days`` from now, or None for a token that does not expire."""
    if days is None:
        return None
    if days < 1 or days > 3650:
        raise InvalidInput(
            "Expiry must be between 1 and 3650 days.", details={"field": "expires_in_days"}
        )
    return timezone.now() + timedelta(days=days)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, oldest first."""
    return list(ApiToken.objects.filter(user=user).order_by("created_at", "id"))


def delete_token(token_id: str | uuid.UUID, user: User | None = None) -> ApiToken:
    """Delete a token (only one of ``user``'s when given); it is refused from the next request."""
    try:
        token_uuid = uuid.UUID(str(token_id))
    except ValueError as exc:
        raise NotFound(f"No token has the id {token_id!r}.") from exc
    tokens = ApiToken.objects.filter(uuid=token_uuid)
    if user is not None:
        tokens = tokens.filter(user=user)
    with transaction.atomic():
        token = tokens.select_related("user").first()
        if token is None:
            raise NotFound(f"No token has the id {token_id!r}.")
        token.delete()
    return token


def user_for_key(key: str) -> User:
    """The active user a key belongs to; refuses malformed, unknown, expired or deleted keys."""
    if not keys.is_well_formed(key):
        raise AuthenticationFailed("Invalid token.")
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=keys.hash_key(key, token_secret()))
        .first()
    )
    if token is None or not token.user.is_active:
        raise AuthenticationFailed("Invalid token.")
    now = timezone.now()
    if token.is_expired(now):
        raise AuthenticationFailed("This token has expired; create a new one on the Account page.")
    record_use(token, now)
    return token.user


def record_use(token: ApiToken, now: datetime) -> None:
    """Write ``last_used_at`` at most once a minute per token, whatever the request rate."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
