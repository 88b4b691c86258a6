"""``refresh_origins()`` once a change to ``AllowedOrigin`` commits.

Connected to ``post_save`` and ``post_delete`` in ``OriginsConfig.ready()``.
The refresh waits for the commit (``transaction.on_commit``): run earlier, it
would read the old rows (or, in another process, publish them) and serve
them for up to ``ORIGINS_REFRESH`` seconds. A rolled-back change never
refreshes. ``QuerySet.update()``, ``bulk_create()`` and ``bulk_update()`` send no
signals: call ``drf_cors.refresh_origins()`` after them yourself.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from django.db import transaction

_order = itertools.count()
_thread = threading.local()


class _RefreshAfterCommit:
    """``refresh_origins()``, skipped when this thread began one after this change.

    The callbacks of one transaction run one after the other once it commits,
    so deleting 100 rows reads each source once, not 100 times. Per thread:
    another thread's refresh may have started before this change committed.
    """

    def __init__(self) -> None:
        self.order = next(_order)
        # Django's on_commit(robust=True) names a failing callback by it.
        self.__qualname__ = "drf_cors.refresh_origins"

    def __call__(self) -> None:
        if getattr(_thread, "refresh_began", -1) > self.order:
            return
        _thread.refresh_began = next(_order)
        from drf_cors import conf

        conf.refresh_origins()  # never raises: a cache outage cannot break the save


def origins_changed(sender: Any, *, using: str, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete`` receiver for ``AllowedOrigin``: refresh after commit."""
    transaction.on_commit(_RefreshAfterCommit(), using=using, robust=True)
