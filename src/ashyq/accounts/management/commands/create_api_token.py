from django.core.management.base import BaseCommand, CommandError

from ashyq.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API bearer token for a user and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        _, token = ApiToken.issue(user)
        self.stdout.write(token)
