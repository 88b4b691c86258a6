"""Session login with CSRF, and token authentication, for a page on another origin."""

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response

from drf_cors import CorsAPIView, CorsAPIViewMixin


class SessionView(CorsAPIView):
    """Cookie-authenticated routes: the named ``session`` policy allows credentials."""

    cors = "session"
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.AllowAny]


class CsrfTokenView(SessionView):
    """The CSRF token in the body: a script on another origin cannot read the API's cookie."""

    def get(self, request: Request) -> Response:
        # get_token() also has CsrfViewMiddleware set the csrftoken cookie.
        return Response({"csrfToken": get_token(request._request)})


class Credentials(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class LoginView(SessionView):
    def post(self, request: Request) -> Response:
        # DRF exempts its views from Django's CSRF middleware and re-checks
        # only requests already authenticated by session. A login has no
        # session yet, so check here: otherwise another site could log the
        # browser into an account of its choosing (login CSRF).
        SessionAuthentication().enforce_csrf(request)
        credentials = Credentials(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request._request, **credentials.validated_data)
        if user is None:
            return Response({"detail": "Wrong username or password."}, status=400)
        login(request._request, user)
        return Response({"username": user.get_username()})


class LogoutView(SessionView):
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(SessionView):
    def get(self, request: Request) -> Response:
        user: Any = request.user
        return Response(
            {"username": user.get_username(), "authenticated": bool(user.is_authenticated)}
        )


class TokenView(CorsAPIViewMixin, ObtainAuthToken):
    """DRF's own token view with the mixin and the global defaults (no cookies needed)."""
