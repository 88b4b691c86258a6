"""Per-request cost of drf_cors against django-cors-headers, through Django's real request path.

Run ``python -m benchmarks`` (see ``benchmarks/run.py`` for the options). The
parent process drives one worker process (``benchmarks/worker.py``) in
interleaved rounds; the worker holds a WSGI handler (and for the default
size an ASGI handler) per configuration size and variant, and times batches
of requests through them. ``python -m benchmarks.profile`` profiles one cell.
"""
