"""``CorsAPIViewMixin``: per-view and per-action CORS, hooked where DRF's guarantees hold.

Preflights are answered in ``dispatch()`` before ``initial()``, where DRF
authenticates, checks permissions and throttles: a preflight never reaches
any of them. Headers are added in ``finalize_response()``, which sees every
response DRF produces, error responses (400/401/403/404/405/429) included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import _engine, _routes, conf
from .apps import ensure_installed
from .conf import PolicySpec
from .policy import UNSET, CompiledPolicy

if TYPE_CHECKING:
    _Base = APIView
else:
    _Base = object


class CorsAPIViewMixin(_Base):
    """Mixin for any ``APIView`` subclass, generic view or ``ViewSet``.

    ``cors`` is a ``CorsPolicy``, the name of a policy in ``POLICIES``, or
    ``None`` (the global defaults). On a viewset the serving action's policy
    (``@cors_policy`` or ``@action(cors=...)``) wins over the class's.
    """

    #: Not called ``cors_policy``: a class body assigning that name would hide
    #: the decorator from the methods defined below it.
    cors: ClassVar[PolicySpec] = None
    _drf_cors_serves: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        ensure_installed(f"{cls.__module__}.{cls.__qualname__}")

    def _cors_policy_for(self, method: str) -> CompiledPolicy:
        override = self.__dict__.get("cors", UNSET)
        action_map = getattr(self, "action_map", None)
        if override is UNSET and action_map is None:
            # The common case, a plain APIView: memoised per class and method.
            policy = _routes._class_policies.get((type(self), method))
            return policy if policy is not None else _routes.class_policy(type(self), method)
        view, action = _routes.specs(type(self), override, action_map, method)
        return conf.compiled(view, action)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        meta = request.META
        if (
            request.method == "OPTIONS"
            and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in meta
            and "HTTP_ORIGIN" in meta
        ):
            policy = self._cors_policy_for(meta["HTTP_ACCESS_CONTROL_REQUEST_METHOD"])
            if policy.enabled:
                return _engine.preflight(request, policy, type(self).__qualname__)
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        raw = request._request if isinstance(request, Request) else request
        _engine.finish(raw, response, self._cors_policy_for(raw.method or "GET"))
        return response


class CorsAPIView(CorsAPIViewMixin, APIView):
    """``CorsAPIViewMixin`` + ``APIView``."""
