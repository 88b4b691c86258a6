"""``X-Worker-Pid`` on every response: which process answered (sync and async)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def worker_pid(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    # os.getpid() per response, not once here: under gunicorn --preload the
    # middleware is built in the master, before the workers fork.
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponseBase:
            response: HttpResponseBase = await get_response(request)
            response.headers["X-Worker-Pid"] = str(os.getpid())
            return response

        return markcoroutinefunction(middleware)

    def sync_middleware(request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = get_response(request)
        response.headers["X-Worker-Pid"] = str(os.getpid())
        return response

    return sync_middleware


worker_pid.sync_capable = True  # type: ignore[attr-defined]
worker_pid.async_capable = True  # type: ignore[attr-defined]
