from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # logging in: the second step
    path("login/code/", views.login_code, name="login_code"),
    # forgotten passwords
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # invitations
    path(
        "invitation/<int:invitation_id>/accept/",
        views.invitation_accept_view,
        name="invitation_accept",
    ),
    path(
        "invitation/<int:invitation_id>/renew/",
        views.invitation_renew_view,
        name="invitation_renew",
    ),
    path("invitation/<int:invitation_id>/<str:token>/", views.invitation, name="invitation"),
    # my account
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("email/", views.preferences, name="preferences"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    # the company's details: every contact reads them, its administrators change them
    path("company/", views.company, name="company"),
    # a company administrator's people
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:user_id>/deactivate/", views.deactivate, name="deactivate"),
    path("people/<int:user_id>/reactivate/", views.reactivate, name="reactivate"),
    path("people/<int:user_id>/invitation/resend/", views.resend, name="resend"),
    path("people/<int:user_id>/invitation/revoke/", views.revoke, name="revoke"),
]
