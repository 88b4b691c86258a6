"""Optional Django apps built on drf_cors; each is installed on its own (``INSTALLED_APPS``)."""
