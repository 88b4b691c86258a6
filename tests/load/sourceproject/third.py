"""The third process: changes the table the way an application does, and says when it was done.

    python -m tests.load.sourceproject.third add ORIGIN [HOST [POLICY]]
    python -m tests.load.sourceproject.third remove ORIGIN
    python -m tests.load.sourceproject.third rename-silently OLD NEW
    python -m tests.load.sourceproject.third break | repair
    python -m tests.load.sourceproject.third refresh

``add`` and ``remove`` go through the ORM (``create()``, ``delete()``): the
app's ``post_save``/``post_delete`` handlers call ``drf_cors.refresh_origins()``
once the change commits, inside the call. ``rename-silently`` is a bulk
``QuerySet.update()``: no signal, no refresh. ``break`` renames the table, so
every read of the source in every process fails with "no such table";
``repair`` renames it back. ``refresh`` calls ``drf_cors.refresh_origins()``
alone (it must return, whatever fails).

Prints one JSON line: ``done`` is ``time.time()`` when the call returned (after
the refresh, for ``add`` and ``remove``); ``took`` its duration in seconds.
"""

from __future__ import annotations

import json
import sys
import time

import django


def main(argv: list[str]) -> int:
    django.setup()
    from django.db import connection

    from tests.load.sourceproject import origins

    model = origins.model()
    table = model._meta.db_table
    command, *args = argv
    started = time.time()
    if command == "add":
        origin, host, policy = [*args, "", ""][:3]
        model.objects.create(origin=origin, host=host, policy=policy, note="third process")
    elif command == "remove":
        deleted, _ = model.objects.filter(origin=args[0]).delete()
        assert deleted, f"no row {args[0]!r}"
    elif command == "rename-silently":
        updated = model.objects.filter(origin=args[0]).update(origin=args[1])
        assert updated, f"no row {args[0]!r}"
    elif command == "break":
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_broken"')
    elif command == "repair":
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE "{table}_broken" RENAME TO "{table}"')
    elif command == "refresh":
        import drf_cors

        drf_cors.refresh_origins()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    done = time.time()
    print(json.dumps({"command": command, "done": done, "took": done - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
