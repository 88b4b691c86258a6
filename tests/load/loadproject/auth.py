"""Token authentication without a database, in a module that does not import DRF's views.

(DRF imports ``DEFAULT_AUTHENTICATION_CLASSES`` while ``rest_framework.views``
is loading: a class living next to views would be a circular import.)
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

TOKEN = "load-secret"


class LoadUser:
    is_authenticated = True
    is_active = True
    pk = 1


class LoadTokenAuthentication(BaseAuthentication):
    """``Authorization: Token load-secret``."""

    def authenticate(self, request: Request) -> tuple[LoadUser, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        if header != f"Token {TOKEN}":
            raise exceptions.AuthenticationFailed("Invalid token.")
        return LoadUser(), TOKEN

    def authenticate_header(self, request: Request) -> str:
        return "Token"
