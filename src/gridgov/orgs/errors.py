"""The codes of logging in and of the tree's refusals (``gridgov.errors``). Loaded by ``apps.ready``."""

from gridgov.errors import register_codes

register_codes({
    "bad_credentials": (401, "The username or password is wrong."),
    "locked_out": (429, "Too many failed logins from this address or for this user; wait and try again."),
})
