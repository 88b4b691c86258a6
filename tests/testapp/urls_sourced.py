"""Routes whose own policies read an origins source (``tests/test_sources.py``).

Not in the suite's ROOT_URLCONF: a source with the tests' per-process
``LocMemCache`` is what system check W014 warns about, and the suite's own
settings pass every check.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("api/async-sourced/", views.async_sourced),
    path("api/async-sourced-cbv/", views.AsyncSourcedCBV.as_view()),
]
