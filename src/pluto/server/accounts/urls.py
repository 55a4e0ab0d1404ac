from django.contrib.auth import views as auth_views
from django.urls import path

from pluto.server.accounts import views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Not under registration/: the admin's templates of those names would win.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("accounts/signup/", views.signup, name="signup"),
    path("account/", views.account, name="account"),
    path("account/tokens/", views.create_token, name="token_create"),
    path("account/tokens/<uuid:token_id>/delete/", views.delete_token, name="token_delete"),
]
