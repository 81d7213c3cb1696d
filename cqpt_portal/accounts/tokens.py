from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use: the hash covers the confirmation date, which confirming sets."""

    key_salt = "cqpt_portal.accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_confirmed_at}{user.is_active}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()
