"""ASGI entry point: the async view and the middleware's async path run natively here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sample_project.settings")
application = get_asgi_application()
