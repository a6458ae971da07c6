"""Checking proof bundles without a server: signatures (``notes``), inclusion and consistency (``merkle``).

``check_bundle`` and ``check_consistency`` take the bundle as parsed JSON and answer one sentence: what was
proved, or the first thing that failed. Every field is checked for type and range before use, and a
bundle proves nothing it does not prove completely: one missing hash, one wrong size, one flipped bit fails.
The log's key may be pinned by the caller (as printed on the public pages); otherwise the bundle's own
key is used, and the answer says so.
"""

import base64
import binascii
import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gridgov.ledger import merkle, notes

BUNDLE_FORMAT = "gridgov-points-proof/v1"
CONSISTENCY_FORMAT = "gridgov-consistency-proof/v1"
MAX_PROOF = 64  # hashes: a path in a tree of 2^63 leaves is at most 63 long
MAX_ENTRIES = 100000


@dataclass
class Result:
    ok: bool
    message: str

    def __str__(self) -> str:
        return self.message


class Invalid(Exception):
    pass


def _hashes(value) -> list[bytes]:
    if not isinstance(value, list) or len(value) > MAX_PROOF:
        raise Invalid(_("a proof is not a list of at most %(count)d hashes") % {"count": MAX_PROOF})
    out = []
    for item in value:
        try:
            raw = base64.b64decode(item, validate=True) if isinstance(item, str) else b""
        except binascii.Error:
            raw = b""
        if len(raw) != 32:
            raise Invalid(_("a proof hash is not 32 bytes of base64"))
        out.append(raw)
    return out


def _checkpoint(note, log_key: str, witness_keys) -> tuple[str, int, bytes, int]:
    """(origin, size, root, witnesses that signed) of a note the log signed; Invalid otherwise."""
    if not isinstance(note, str):
        raise Invalid(_("the checkpoint is missing"))
    try:
        body, _signatures = notes.split(note)
        origin, size, root = notes.parse_checkpoint(body)
        log_name = notes.parse_verifier_key(log_key)[0]
        if not notes.signed_by(note, log_key):
            raise Invalid(_("the installation's signature on the checkpoint does not verify"))
        if origin != log_name:
            raise Invalid(_("the checkpoint names another log than its key"))
        witnessed = 0
        for key in witness_keys:
            if not notes.signed_by(note, key):
                raise Invalid(_("a witness's signature on the checkpoint does not verify"))
            witnessed += 1
    except notes.NoteError as error:
        raise Invalid(str(error)) from None
    return origin, size, root, witnessed


def _keys(bundle: dict, log_key: str | None) -> tuple[str, list[str], str]:
    own = bundle.get("log_key")
    if log_key is None and not isinstance(own, str):
        raise Invalid(_("no key of the installation to check against"))
    if log_key is not None and isinstance(own, str) and own != log_key:
        raise Invalid(_("the bundle names another installation key than the one given"))
    witnesses = bundle.get("witness_keys", [])
    if not isinstance(witnesses, list) or not all(isinstance(key, str) for key in witnesses) or len(witnesses) > 16:
        raise Invalid(_("the witness keys are not a list of keys"))
    pinned = _("the key given") if log_key is not None else _("the key in the bundle (compare it with the public page)")
    return log_key or own, witnesses, pinned


def _entry(item, size: int, root: bytes, account: int) -> int:
    """Check one posting of a bundle; the points it moved for ``account``."""
    if not isinstance(item, dict) or not isinstance(item.get("entry"), str):
        raise Invalid(_("a posting of the bundle is malformed"))
    index = item.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
        raise Invalid(_("a posting's position is outside the checkpoint's tree"))
    try:
        content = json.loads(item["entry"])
        sequence, lines = content[0], content[-2]
        mine = [amount for account_id, amount in lines if account_id == account]
    except (ValueError, TypeError, IndexError, KeyError):
        raise Invalid(_("posting #%(n)d does not parse") % {"n": index + 1}) from None
    if sequence != index + 1 or not mine:
        raise Invalid(_("posting #%(n)d is not at its position or not of this account") % {"n": index + 1})
    leaf = merkle.leaf_hash(item["entry"].encode())
    if not merkle.verify_inclusion(index, size, leaf, _hashes(item.get("proof")), root):
        raise Invalid(_("posting #%(n)d is not in the checkpoint's tree (its inclusion proof fails)") % {"n": index + 1})
    return sum(mine)


def check_bundle(bundle, *, log_key: str | None = None) -> Result:
    """Verify a person's proof bundle; one sentence saying what it proved or what failed."""
    try:
        if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
            raise Invalid(_("not a points proof bundle"))
        key, witness_keys, pinned = _keys(bundle, log_key)
        origin, size, root, witnessed = _checkpoint(bundle.get("checkpoint"), key, witness_keys)
        account, postings = bundle.get("account"), bundle.get("postings")
        if not isinstance(postings, list) or len(postings) > MAX_ENTRIES:
            raise Invalid(_("the bundle's postings are not a list"))
        if postings and (not isinstance(account, int) or isinstance(account, bool)):
            raise Invalid(_("the bundle names no account"))
        indexes = [item.get("index") if isinstance(item, dict) else None for item in postings]
        if len(set(map(str, indexes))) != len(indexes):
            raise Invalid(_("the bundle lists a posting twice"))
        total = sum(_entry(item, size, root, account) for item in postings)
    except Invalid as error:
        return Result(False, _("FAILED: %(reason)s.") % {"reason": error})
    return Result(True, _("OK: %(count)d postings (%(total)+d points) of account %(account)s are in the ledger "
                          "%(origin)s at size %(size)d, signed by the installation (%(pinned)s) and co-signed by "
                          "%(witnesses)d witnesses.") % {
        "count": len(postings), "total": total, "account": account, "origin": origin, "size": size,
        "pinned": pinned, "witnesses": witnessed})


def check_consistency(bundle, *, log_key: str | None = None) -> Result:
    """Verify that the second checkpoint of a consistency bundle extends the first."""
    try:
        if not isinstance(bundle, dict) or bundle.get("format") != CONSISTENCY_FORMAT:
            raise Invalid(_("not a consistency proof bundle"))
        key, _witnesses, pinned = _keys(bundle, log_key)
        origin, first, first_root, _w = _checkpoint(bundle.get("first"), key, [])
        _origin, second, second_root, _w = _checkpoint(bundle.get("second"), key, [])
        if not merkle.verify_consistency(first, second, first_root, second_root, _hashes(bundle.get("proof"))):
            raise Invalid(_("the checkpoint of size %(second)d does not extend the one of size %(first)d")
                          % {"first": first, "second": second})
    except Invalid as error:
        return Result(False, _("FAILED: %(reason)s.") % {"reason": error})
    return Result(True, _("OK: the ledger %(origin)s at size %(second)d extends its checkpoint at size %(first)d "
                          "(signed by the installation, %(pinned)s).")
                  % {"origin": origin, "first": first, "second": second, "pinned": pinned})


def check(bundle, *, log_key: str | None = None) -> Result:
    if isinstance(bundle, dict) and bundle.get("format") == CONSISTENCY_FORMAT:
        return check_consistency(bundle, log_key=log_key)
    return check_bundle(bundle, log_key=log_key)
