import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.load.sourceproject.settings")
application = get_wsgi_application()

if os.environ.get("SOURCES_REFRESH_AT_IMPORT") == "1":
    # As a project that warms its origins up in wsgi.py: under gunicorn --preload this
    # runs in the master, so the workers fork with a snapshot, a Redis connection
    # pool and a database connection made before the fork.
    import drf_cors

    drf_cors.refresh_origins()
