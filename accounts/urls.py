from django.urls import path

from .views import account, company, invitations, login, passwords, people, two_factor

app_name = "accounts"

urlpatterns = [
    # logging in: the second step
    path("login/code/", login.login_code, name="login_code"),
    # forgotten passwords
    path("password/reset/", passwords.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # invitations
    path(
        "invitation/<int:invitation_id>/accept/",
        invitations.invitation_accept_view,
        name="invitation_accept",
    ),
    path(
        "invitation/<int:invitation_id>/renew/",
        invitations.invitation_renew_view,
        name="invitation_renew",
    ),
    path("invitation/<int:invitation_id>/<str:token>/", invitations.invitation, name="invitation"),
    # my account
    path("", account.account, name="account"),
    path("password/", account.PasswordChangeView.as_view(), name="password_change"),
    path("email/", account.preferences, name="preferences"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path("two-factor/qr.svg", two_factor.two_factor_qr, name="two_factor_qr"),
    path("two-factor/off/", two_factor.two_factor_off, name="two_factor_off"),
    path("two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    # the company's details: every contact reads them, its administrators change them
    path("company/", company.company, name="company"),
    # a company administrator's people
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/<int:user_id>/deactivate/", people.deactivate, name="deactivate"),
    path("people/<int:user_id>/reactivate/", people.reactivate, name="reactivate"),
    path("people/<int:user_id>/invitation/resend/", people.resend, name="resend"),
    path("people/<int:user_id>/invitation/revoke/", people.revoke, name="revoke"),
]
