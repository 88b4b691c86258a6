"""A URLconf with a view naming a policy that POLICIES does not define."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("api/missing/", views.missing_policy),
    path("", include("tests.testapp.urls")),
]
