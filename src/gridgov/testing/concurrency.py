"""Real concurrency for tests: threads released together against PostgreSQL, each on its own connection."""

import threading

import pytest
from django.db import connection, connections


def race(count: int, work, *, expected=Exception) -> list:
    """Run ``work(index)`` in ``count`` threads released at once by a barrier; return each thread's result
    or the exception it raised, in index order (the test inspects what each thread got). An exception that
    is not ``expected`` (e.g. only the service's refusals) is raised again once every thread has ended."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if unexpected := next((r for r in results if isinstance(r, Exception) and not isinstance(r, expected)), None):
        raise unexpected
    return results


def skip_unless_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL (set GRIDGOV_DATABASE_URL); SQLite serialises writers")
