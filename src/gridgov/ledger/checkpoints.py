"""Signed checkpoints of the Merkle log and the witness's co-signature (SPEC §11).

The installation signs (origin, size, root) with its Ed25519 key, generated into the data dir on first use
(``settings.LEDGER_SIGNING_KEY``). A supervisor (纪检监察) witnesses a checkpoint with a key of their own,
after checking it extends the last checkpoint they signed (a consistency proof, RFC 9162 §2.1.4). A
checkpoint that contradicts one they signed, the same size with another root or a tree that does not
extend theirs, is a split view: it is recorded (``SplitView``, which oversight lists as a finding) and refused.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record
from gridgov.errors import PermissionDenied
from gridgov.ledger import journal, merkle, merkle_log, notes
from gridgov.ledger.errors import CheckpointRefusal, LedgerRefusal, SplitViewDetected
from gridgov.ledger.models import Checkpoint, Cosignature, SplitView
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import require, role_paths


def log_key():
    return notes.load_or_create_key(settings.LEDGER_SIGNING_KEY)


def log_verifier_key() -> str:
    """The installation's public key as a note verifier key: shown on public pages and in bundles."""
    return notes.verifier_key(settings.LEDGER_ORIGIN, notes.public_bytes(log_key()))


def witness_key_name(person) -> str:
    return f"{settings.LEDGER_ORIGIN}/witness/{person.pk}"


def _top_node() -> Node:
    node = Node.objects.order_by("path").first()
    if node is None:
        raise LedgerRefusal(_("There is no organisation yet."), code="invalid_node")
    return node


def checkpoint_make(*, actor) -> Checkpoint:
    """Sign a checkpoint of the log as it stands (read under the chain lock); the same size twice is the
    same checkpoint, so a repeated call signs nothing new."""
    grant = require(actor, "ledger.checkpoint", _top_node())
    origin = settings.LEDGER_ORIGIN
    with transaction.atomic():
        head = journal.lock_head()
        if head.sequence == 0:
            raise LedgerRefusal(_("Nothing has been posted yet."), code="empty_ledger")
        existing = Checkpoint.objects.filter(origin=origin, size=head.sequence).first()
        if existing is not None:
            return existing
        root = merkle.root(head.sequence, merkle_log.frontier_of(head.sequence, head.frontier))
        body = notes.checkpoint_body(origin, head.sequence, root)
        checkpoint = Checkpoint.objects.create(origin=origin, size=head.sequence, root_hash=root.hex(),
                                               note=body + "\n" + notes.signature_line(body, origin, log_key()))
        audit_record(actor=actor, action="ledger.checkpoint", target=checkpoint, node=_top_node(),
                     role=grant.role, after={"size": checkpoint.size, "root": checkpoint.root_hash})
    return checkpoint


def _witness_node(actor) -> Node:
    """Where the witness holds the supervisor's role (a witness is a person with a key, never SYSTEM)."""
    if not isinstance(actor, Person):
        raise PermissionDenied(_("Only a supervisor can witness the ledger."))
    paths = role_paths(actor, "ledger.witness")
    node = Node.objects.filter(path__in=paths).order_by("path").first() if paths else None
    require(actor, "ledger.witness", node or _top_node())
    return node


def parse_signed(note: str, *, log_key_text: str | None = None) -> tuple[str, int, bytes]:
    """(origin, size, root) of a checkpoint note carrying the log's valid signature; refused otherwise."""
    try:
        body, _signatures = notes.split(note)
        parsed = notes.parse_checkpoint(body)
        signed = notes.signed_by(note, log_key_text or log_verifier_key())
    except notes.NoteError as error:
        raise CheckpointRefusal(_("The checkpoint does not parse: %(error)s.") % {"error": error}) from None
    if not signed:
        raise CheckpointRefusal(_("The checkpoint does not carry the installation's valid signature."))
    if parsed[0] != settings.LEDGER_ORIGIN:
        raise CheckpointRefusal(_("The checkpoint is of another log (%(origin)s).") % {"origin": parsed[0]})
    return parsed


def _last_signed(witness) -> Cosignature | None:
    return (Cosignature.objects.filter(witness=witness).select_related("checkpoint")
            .order_by("-checkpoint__size").first())


def _extends(old: tuple[int, bytes], new: tuple[int, bytes]) -> bool:
    """Whether the log's tree of size new[0] with root new[1] extends the one of size old[0], root old[1]."""
    (first, first_root), (second, second_root) = sorted([old, new])
    if first == second:
        return first_root == second_root
    if second > merkle_log.size():
        return False
    return merkle.verify_consistency(first, second, first_root, second_root, merkle_log.consistency(first, second))


def _record_split_view(*, witness, node, role, signed: tuple, signed_checkpoint, seen: tuple, note: str) -> SplitView:
    with transaction.atomic():
        split = SplitView.objects.create(
            witness=witness, signed=signed_checkpoint, signed_size=signed[0], signed_root=signed[1].hex(),
            seen_size=seen[0], seen_root=seen[1].hex(), seen_note=note)
        audit_record(actor=witness, action="ledger.split_view", target=split, node=node, role=role,
                     after={"signed_size": signed[0], "seen_size": seen[0], "seen_root": seen[1].hex()})
    return split


def witness_check(*, actor, note: str, signed_note: str | None = None) -> tuple[int, bytes]:
    """Check a checkpoint note against the last one ``actor`` witnessed (``signed_note``, from the witness's
    own records, or else their last co-signature here). A contradiction is recorded and refused."""
    node = _witness_node(actor)
    role = "supervisor"
    _origin, size, root = parse_signed(note)
    last = _last_signed(actor)
    if signed_note is not None:
        _o, last_size, last_root = parse_signed(signed_note)
        last_checkpoint = Checkpoint.objects.filter(origin=settings.LEDGER_ORIGIN, size=last_size).first()
    elif last is not None:
        last_size, last_root, last_checkpoint = last.checkpoint.size, bytes.fromhex(last.checkpoint.root_hash), \
            last.checkpoint
    else:
        return size, root
    if not _extends((last_size, last_root), (size, root)):
        _record_split_view(witness=actor, node=node, role=role, signed=(last_size, last_root),
                           signed_checkpoint=last_checkpoint, seen=(size, root), note=note)
        raise SplitViewDetected(_("This checkpoint (size %(size)d) contradicts the checkpoint of size %(last)d you "
                                  "signed; a finding was raised for oversight.") % {"size": size, "last": last_size})
    if size < last_size:
        raise CheckpointRefusal(_("This checkpoint (size %(size)d) is older than the one you last signed "
                                  "(size %(last)d).") % {"size": size, "last": last_size}, code="older_checkpoint")
    return size, root


def checkpoint_cosign(*, actor, checkpoint: Checkpoint, private_key, signed_note: str | None = None) -> Cosignature:
    """Witness ``checkpoint`` with ``private_key`` (the supervisor's own) after ``witness_check``."""
    witness_check(actor=actor, note=checkpoint.note, signed_note=signed_note)
    node = _witness_node(actor)
    existing = Cosignature.objects.filter(checkpoint=checkpoint, witness=actor).first()
    if existing is not None:
        return existing
    name = witness_key_name(actor)
    body, _signatures = notes.split(checkpoint.note)
    with transaction.atomic():
        cosignature = Cosignature.objects.create(
            checkpoint=checkpoint, witness=actor, key_name=name,
            verifier_key=notes.verifier_key(name, notes.public_bytes(private_key)),
            signature=notes.signature_line(body, name, private_key))
        audit_record(actor=actor, action="ledger.cosign", target=checkpoint, node=node,
                     role="supervisor",
                     after={"size": checkpoint.size, "key": cosignature.verifier_key})
    return cosignature
