"""Per-request cost of drf_cors against django-cors-headers, through Django's real request path.

Run ``python -m benchmarks`` (see ``benchmarks/run.py`` for the options). The
parent process drives one worker process per configuration size (3 origins,
1,000 + 50 regexes, 10,000 origins) in interleaved rounds; each worker holds
one WSGI and one ASGI handler per variant and times batches of requests
through them (``benchmarks/worker.py``).
"""
