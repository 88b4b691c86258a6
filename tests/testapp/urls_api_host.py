"""The URLconf of the ``api`` host (django-hosts): paths that ROOT_URLCONF also has, other views.

``/api/partner/`` is also a route of ``tests.testapp.urls``, with the
"partners" policy; here it is :class:`HostPartnerView`, whose own policy
allows only ``https://api-host.example``. A preflight must get this one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIView, CorsPolicy

from . import views

HOST_ORIGIN = "https://api-host.example"


class HostPartnerView(CorsAPIView):
    cors = CorsPolicy(allowed_origins=[HOST_ORIGIN], allow_credentials=True)
    permission_classes = []

    def get(self, request: Request) -> Response:
        return Response({"host": "api"})


def host_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate, on the api host")


urlpatterns = [
    path("api/partner/", HostPartnerView.as_view()),
    # ROOT_URLCONF's /api/plain/ is a plain view; here the same path has a policy.
    path("api/plain/", HostPartnerView.as_view()),
    path("api/host-boom/", host_boom),
    path("api/spy/", views.SpyView.as_view()),
]
