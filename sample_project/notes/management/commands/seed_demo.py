"""``manage.py seed_demo``: the demo user and a few notes; safe to run again."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sample_project.notes.models import Note

USERNAME = "demo"
PASSWORD = "demo-password"  # a local demo account; never do this on a real site

NOTES = [
    ("Welcome", "This note is public: the public feed shows it to any origin.", True),
    ("CORS in one line", "A browser enforces CORS; the server only states a policy.", True),
    ("Credentials", "Cookies need an exact origin and Allow-Credentials: true.", True),
    ("Private plan", "Only the demo user sees this, by session cookie or token.", False),
    ("Shopping", "Milk, eggs, a Fetch standard printout.", False),
]


class Command(BaseCommand):
    help = "Create the demo user (demo / demo-password) and a few notes, once."

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=USERNAME)
        if created:
            user.set_password(PASSWORD)
            user.save()
        if not Note.objects.filter(owner=user).exists():
            Note.objects.bulk_create(
                Note(owner=user, title=title, body=body, public=public)
                for title, body, public in NOTES
            )
        self.stdout.write(
            f"Demo user: {USERNAME} / {PASSWORD}; {Note.objects.filter(owner=user).count()} notes."
        )
