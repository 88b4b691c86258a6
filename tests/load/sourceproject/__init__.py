"""The project of the multi-process origins-source tests (test_sources_multiprocess.py).

Served by gunicorn and uvicorn at once on one SQLite file, sharing the
source's results through a real Redis. Every read of the source is recorded
(:mod:`.counting`), so the tests can count reads per process and prove that no
read ran on an event loop thread. Nothing here runs in the test process.
"""
