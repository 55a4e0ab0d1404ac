"""Account pages: the profile and API tokens, sign-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pluto.server.accounts import services
from pluto.server.accounts.forms import SignInForm, SignupForm, TokenForm
from pluto.server.accounts.models import ApiToken
from pluto.server.errors import PlutoError
from pluto.server.web.context import server_url
from pluto.server.web.sdk_install import index_install_line, wheel_install_line


class SignInView(LoginView):
    """Sign in with email and password; repeated failures lock the email out for a while."""

    form_class = SignInForm
    redirect_authenticated_user = True


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The profile, the token list and the form for a new token."""
    return account_page(request, TokenForm())


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Create a token from the form and show its key in this one response.

    The key is rendered here rather than carried to a redirect through the session, so
    it is never written to the database: only its keyed hash is.
    """
    form = TokenForm(request.POST)
    if not form.is_valid():
        return account_page(request, form, status=400)
    data = form.cleaned_data
    new = services.create_token(request.user, data["name"], data["expires_in_days"])
    new_key = {"name": new.token.name, "key": new.key}
    return account_page(request, TokenForm(), new_key=new_key, status=201)


def account_page(
    request: HttpRequest,
    form: TokenForm,
    new_key: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Account page; ``no-store`` so no cache keeps a key it once showed."""
    server = server_url(request)
    context = {
        "tokens": services.tokens_of(request.user),
        "form": form,
        "new_key": new_key,
        "wheel_install": wheel_install_line(server),
        "index_install": index_install_line(server),
    }
    response = render(request, "accounts/account.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_token(request: HttpRequest, token_id: str) -> HttpResponse:
    """Ask for confirmation (GET), then delete the token (POST)."""
    token = ApiToken.objects.filter(uuid=token_id, user=request.user).first()
    if token is None:
        raise Http404("No such token.")
    if request.method == "GET":
        return render(request, "accounts/token_confirm_delete.html", {"token": token})
    services.delete_token(token.uuid, request.user)
    messages.success(
        request, f"Token “{token.name}” was deleted. Scripts using it stop working now."
    )
    return redirect("account")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Self sign-up, only when ``PLUTO_ALLOW_SIGNUP`` is on."""
    if not settings.ALLOW_SIGNUP:
        raise Http404("Sign-up is not enabled on this server.")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except PlutoError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("account")
    return render(request, "registration/signup.html", {"form": form})
