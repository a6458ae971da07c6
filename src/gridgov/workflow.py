"""Explicit state machines: a workflow is one table of (state, event) → next state.

Tasks' claims and reports' work orders each declare their table and build a ``Transitions`` from it;
the services apply events through ``next_state`` and nothing else decides what may follow what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.errors import Conflict


class InvalidTransition(Conflict):
    """The item is not in a state where this event can happen (e.g. a second audit of the same claim)."""

    code = "invalid_state"

    def __init__(self, state_label, event: str, state: str):
        self.state, self.event = state, event
        super().__init__(_("This cannot be done now: it is “%(state)s”.") % {"state": state_label})


class Transitions:
    def __init__(self, states: type[models.TextChoices], table: dict[tuple[str, str], str]):
        self.states = states
        self.table = table

    def next_state(self, state: str, event: str) -> str:
        try:
            return self.table[(state, event)]
        except KeyError:
            raise InvalidTransition(self.states(state).label, event, state) from None

    def allowed_events(self, state: str) -> list[str]:
        return [event for (source, event) in self.table if source == state]
