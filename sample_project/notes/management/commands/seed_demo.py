"""``manage.py seed_demo``: demo users, notes, the page's embed origin; safe to run again."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from drf_cors.contrib.origins.models import AllowedOrigin
from sample_project.notes.models import Note

# Local demo accounts; never do this on a real site.
USERNAME = "demo"
PASSWORD = "demo-password"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password"

#: The named policy of /api/embed/, whose origins are AllowedOrigin rows.
EMBEDS = "embeds"

NOTES = [
    ("Welcome", "This note is public: the public feed shows it to any origin.", True),
    ("CORS in one line", "A browser enforces CORS; the server only states a policy.", True),
    ("Credentials", "Cookies need an exact origin and Allow-Credentials: true.", True),
    ("Private plan", "Only the demo user sees this, by session cookie or token.", False),
    ("Shopping", "Milk, eggs, a Fetch standard printout.", False),
]


class Command(BaseCommand):
    help = (
        "Create the demo user (demo / demo-password), the admin (admin / admin-password), "
        "a few notes, and the embed widget's allowed origin for the page, once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        user, created = users.get_or_create(username=USERNAME)
        if created:
            user.set_password(PASSWORD)
            user.save()
        if not users.filter(username=ADMIN_USERNAME).exists():
            users.create_superuser(ADMIN_USERNAME, password=ADMIN_PASSWORD)
        if not Note.objects.filter(owner=user).exists():
            Note.objects.bulk_create(
                Note(owner=user, title=title, body=body, public=public)
                for title, body, public in NOTES
            )
        # The page's first origin only (settings.PAGE_ORIGINS, from
        # DEMO_PAGE_ORIGINS): from any other origin, 127.0.0.1 included, the
        # widget stays blocked until someone adds that origin in the admin.
        # Rows added in the admin are kept from one run to the next.
        for origin in settings.PAGE_ORIGINS[:1]:
            if not AllowedOrigin.objects.filter(origin=origin, host="", policy=EMBEDS).exists():
                row = AllowedOrigin(origin=origin, policy=EMBEDS, note="the demo page")
                row.full_clean()  # the admin form's rules
                row.save()
        embeds = ", ".join(
            AllowedOrigin.objects.filter(policy=EMBEDS).values_list("origin", flat=True)
        )
        self.stdout.write(
            f"Demo user: {USERNAME} / {PASSWORD}; admin: {ADMIN_USERNAME} / {ADMIN_PASSWORD}; "
            f"{Note.objects.filter(owner=user).count()} notes; "
            f"embed widget origins: {embeds or 'none'}."
        )
