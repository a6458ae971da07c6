"""The error endpoints raise for refusals that are not domain rules (bad login, lock-out).

Kept apart from ``gridgov.api`` so that an app's ``api.py`` can import it without an import cycle
(``gridgov.api`` imports every app's router).
"""

from ninja.errors import HttpError


class ApiError(HttpError):
    """An HTTP error with a stable machine-readable ``code``, rendered as ``{"code", "message"}``."""

    def __init__(self, status_code: int, code: str, message) -> None:
        super().__init__(status_code, str(message))
        self.code = code
