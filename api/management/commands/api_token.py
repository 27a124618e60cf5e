"""``manage.py api_token --email … --name …``: a personal API token from the shell, for
scripts and first setups (people make theirs on My account > API tokens)."""

from django.core.management.base import BaseCommand, CommandError

from api.services import api_token_create
from companies.models import User
from core.domain import DomainError


class Command(BaseCommand):
    help = "Make a personal API token for a person and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The person the token acts as.")
        parser.add_argument("--name", required=True, help="What uses it, e.g. 'ERP sync'.")
        parser.add_argument("--days", type=int, default=90, help="0: never expires.")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["email"]).first()
        if user is None:
            raise CommandError(f"Nobody has the email address {options['email']}.")
        try:
            _token, key = api_token_create(
                user=user, name=options["name"], days=options["days"] or None
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(key)
