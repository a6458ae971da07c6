"""Schemas every router shares: the one error body. Kept apart from ``gridgov.api`` (which imports every
router) so that an app's ``api.py`` can import them without an import cycle."""

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every error the API answers: a stable ``code`` (see the table in the API description) and a message."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["No node with this code in your area."])
