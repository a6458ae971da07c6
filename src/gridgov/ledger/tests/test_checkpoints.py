"""Checkpoints, the witness, proof bundles and detection, against the database."""

import copy
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridgov.errors import PermissionDenied
from gridgov.ledger import checkpoints, journal, merkle, merkle_log, notes, proofs, services, verifier
from gridgov.ledger.errors import CheckpointRefusal, LedgerRefusal, SplitViewDetected
from gridgov.ledger.models import Posting, SplitView
from gridgov.ledger.verify import verify_ledger
from gridgov.orgs.permissions import SYSTEM
from gridgov.oversight import anomalies


def _grant(street, n: int, *, person=None, amount: int = 5):
    for i in range(n):
        services.grant_points(actor=SYSTEM, person=person or street.resident, amount=amount, reason="垃圾分类督导",
                              idempotency_key=f"cp-{Posting.objects.count()}-{i}", budget_node=street.community)


def _witness_key():
    return notes.Ed25519PrivateKey.generate()


def _rows_leaves():
    return merkle_log.leaves(0, merkle_log.size())


def test_grants_and_batches_append_leaves_whose_root_matches_a_rebuild(street, budget):
    _grant(street, 3)
    services.grant_batch(actor=SYSTEM, budget_node=street.community, idempotency_key="cp-batch", grants=[
        {"person": street.worker_a, "amount": 10, "reason": "消防安全巡查", "idempotency_key": f"cp-b-{i}"}
        for i in range(6)])
    size = merkle_log.size()
    assert size == Posting.objects.count() == len(_rows_leaves())
    assert merkle_log.root(size) == merkle.tree_root(_rows_leaves())
    assert verify_ledger()[1] == []


def test_a_retried_grant_appends_no_leaf(street, budget):
    for _ in range(2):
        services.grant_points(actor=SYSTEM, person=street.resident, amount=5, reason="r", idempotency_key="same",
                              budget_node=street.community)
    assert merkle_log.size() == len(_rows_leaves()) == Posting.objects.count()


def test_checkpoint_is_signed_by_the_installation_and_made_once_per_size(street, budget):
    _grant(street, 2)
    first = checkpoints.checkpoint_make(actor=SYSTEM)
    assert checkpoints.checkpoint_make(actor=SYSTEM) == first
    assert notes.signed_by(first.note, checkpoints.log_verifier_key())
    assert notes.parse_checkpoint(notes.split(first.note)[0])[1:] == (first.size, merkle_log.root(first.size))


def test_only_a_platform_admin_signs_checkpoints_and_only_a_supervisor_witnesses(street, budget):
    _grant(street, 1)
    with pytest.raises(PermissionDenied):
        checkpoints.checkpoint_make(actor=street.street_cadre)
    checkpoint = checkpoints.checkpoint_make(actor=street.admin)
    for actor in (street.street_cadre, SYSTEM):
        with pytest.raises(PermissionDenied):
            checkpoints.checkpoint_cosign(actor=actor, checkpoint=checkpoint, private_key=_witness_key())


def test_an_empty_ledger_has_no_checkpoint(street):
    with pytest.raises(LedgerRefusal) as refused:
        checkpoints.checkpoint_make(actor=SYSTEM)
    assert refused.value.code == "empty_ledger"


def test_the_witness_cosigns_checkpoints_that_extend_the_last_one_it_signed(street, budget):
    key = _witness_key()
    _grant(street, 3)
    first = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=first, private_key=key)
    _grant(street, 4)
    second = checkpoints.checkpoint_make(actor=SYSTEM)
    cosignature = checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=second, private_key=key)
    assert notes.signed_by(proofs.cosigned_note(second), cosignature.verifier_key)
    with pytest.raises(CheckpointRefusal) as refused:  # going back is not witnessing
        checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=first, private_key=key,
                                      signed_note=second.note)
    assert refused.value.code == "older_checkpoint"


def _forged(size: int, root: bytes) -> str:
    """What a dishonest operator (who holds the installation's key) could show someone else."""
    body = notes.checkpoint_body(notes.split(checkpoints.Checkpoint.objects.first().note)[0].split("\n")[0], size,
                                 root)
    return body + "\n" + notes.signature_line(body, checkpoints.settings.LEDGER_ORIGIN, checkpoints.log_key())


def test_a_split_view_is_refused_recorded_and_raised_as_an_oversight_finding(street, budget):
    _grant(street, 3)
    checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=checkpoint, private_key=_witness_key())
    other = _forged(checkpoint.size, b"\x07" * 32)
    with pytest.raises(SplitViewDetected):
        checkpoints.witness_check(actor=street.supervisor, note=other)
    assert SplitView.objects.get().seen_root == "07" * 32  # recorded although the check was refused
    (found,) = [findings for rule, findings in anomalies.run_all(node=street.street)
                if rule.code == "ledger_split_views"]
    assert len(found) == 1 and found[0].person_id == street.supervisor.pk


def test_a_later_checkpoint_that_does_not_extend_the_signed_one_is_a_split_view(street, budget):
    _grant(street, 3)
    checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=checkpoint, private_key=_witness_key())
    _grant(street, 2)
    with pytest.raises(SplitViewDetected):
        checkpoints.witness_check(actor=street.supervisor, note=_forged(5, b"\x01" * 32))


def _bundle(street, key=None):
    _grant(street, 3)
    _grant(street, 2, person=street.worker_a)
    checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
    checkpoints.checkpoint_cosign(actor=street.supervisor, checkpoint=checkpoint, private_key=key or _witness_key())
    _grant(street, 1)  # after the checkpoint: not provable yet
    return proofs.person_bundle(person=street.resident)


def test_a_persons_bundle_proves_their_postings_against_the_cosigned_checkpoint(street, budget):
    bundle = json.loads(json.dumps(_bundle(street)))
    result = verifier.check_bundle(bundle, log_key=checkpoints.log_verifier_key())
    assert result.ok, result.message
    assert len(bundle["postings"]) == 3 and bundle["later"] == 1
    assert "+15" in result.message and "1" in result.message


@pytest.mark.parametrize("tamper", [
    "entry_amount", "drop_proof_hash", "flip_proof_hash", "extra_proof_hash", "index", "checkpoint_size",
    "checkpoint_root", "drop_witness_signature", "witness_key", "other_log_key", "duplicate_posting", "foreign_entry",
])
def test_any_single_change_to_a_bundle_fails_its_check(street, budget, tamper):
    bundle = _bundle(street)
    changed = copy.deepcopy(bundle)
    first = changed["postings"][0]
    if tamper == "entry_amount":
        first["entry"] = first["entry"].replace(",5]", ",50]").replace(",-5]", ",-50]")
        assert first["entry"] != bundle["postings"][0]["entry"]
    elif tamper == "drop_proof_hash":
        first["proof"] = first["proof"][:-1]
    elif tamper == "flip_proof_hash":
        first["proof"][0] = ("A" if first["proof"][0][0] != "A" else "B") + first["proof"][0][1:]
    elif tamper == "extra_proof_hash":
        first["proof"].append(first["proof"][0])
    elif tamper == "index":
        first["index"] += 1
    elif tamper in ("checkpoint_size", "checkpoint_root"):
        lines = changed["checkpoint"].split("\n")
        at = 1 if tamper == "checkpoint_size" else 2
        lines[at] = str(int(lines[1]) + 1) if at == 1 else "B" + lines[2][1:] if lines[2][0] != "B" else "C" + lines[2][1:]
        changed["checkpoint"] = "\n".join(lines)
    elif tamper == "drop_witness_signature":
        changed["checkpoint"] = "\n".join(changed["checkpoint"].split("\n")[:-2]) + "\n"
    elif tamper == "witness_key":
        changed["witness_keys"] = [notes.verifier_key("x/witness/1", notes.public_bytes(_witness_key()))]
    elif tamper == "other_log_key":
        changed["log_key"] = notes.verifier_key(checkpoints.settings.LEDGER_ORIGIN, notes.public_bytes(_witness_key()))
    elif tamper == "duplicate_posting":
        changed["postings"].append(copy.deepcopy(first))
    elif tamper == "foreign_entry":
        changed["account"] += 1
    result = verifier.check_bundle(changed, log_key=checkpoints.log_verifier_key() if tamper != "other_log_key"
                                   else None)
    assert not result.ok, tamper
    assert verifier.check_bundle(bundle).ok


def test_malformed_bundles_fail_with_a_sentence_not_an_exception(street, budget):
    for bundle in (None, [], {"format": "x"}, {"format": verifier.BUNDLE_FORMAT},
                   {"format": verifier.BUNDLE_FORMAT, "log_key": "a+b+c", "checkpoint": "x"},
                   {**_bundle(street), "postings": [{"index": "0", "entry": 3, "proof": "x"}]},
                   {**proofs.person_bundle(person=street.resident), "postings": [{"index": 0, "entry": "[]",
                                                                                  "proof": [1]}]}):
        result = verifier.check(bundle)
        assert not result.ok and result.message


def test_a_consistency_bundle_proves_the_later_checkpoint_extends_the_earlier(street, budget):
    _grant(street, 3)
    first = checkpoints.checkpoint_make(actor=SYSTEM)
    _grant(street, 5)
    second = checkpoints.checkpoint_make(actor=SYSTEM)
    bundle = proofs.consistency_bundle(first=first, second=second)
    assert verifier.check(bundle, log_key=checkpoints.log_verifier_key()).ok
    bundle["proof"] = bundle["proof"][1:]
    assert not verifier.check(bundle).ok


def _drop_triggers(*tables):
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_update")


def _raw_update(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_posting_changed_after_a_checkpoint_fails_its_proofs_and_verify_names_the_leaf(street, budget):
    _grant(street, 4)
    checkpoints.checkpoint_make(actor=SYSTEM)
    before = proofs.person_bundle(person=street.resident)
    _drop_triggers("ledger_posting")
    _raw_update("UPDATE ledger_posting SET reason = %s WHERE sequence = 3", ["人情分"])
    after = proofs.person_bundle(person=street.resident)
    assert verifier.check(before).ok  # what was proved before still holds for what was then
    assert not verifier.check(after).ok
    problems = [str(p) for p in verify_ledger()[1]]
    assert any("#3" in p and p.startswith(str(verify_ledger.__globals__["WHAT"]["leaf"])) for p in problems)
    with pytest.raises(CommandError):
        call_command("ledger", "verify")


def test_verify_catches_a_rewritten_history_through_the_signed_root(street, budget):
    """The operator rewrites a posting and every hash after it, chain and leaves alike: the checkpoint stays."""
    _grant(street, 3)
    checkpoints.checkpoint_make(actor=SYSTEM)
    _drop_triggers("ledger_posting", "ledger_merklenode")
    _raw_update("UPDATE ledger_posting SET reason = %s WHERE sequence = 2", ["人情分"])
    posting = Posting.objects.get(sequence=2)
    content = journal.canonical({name: getattr(posting, name) for name in journal.HASHED_FIELDS},
                                journal.lines_of([posting])[posting.pk])
    _raw_update('UPDATE ledger_merklenode SET hash = %s WHERE level = 0 AND "index" = 1',
                [merkle.leaf_hash(content).hex()])
    problems = verify_ledger()[1]
    assert any(p.what == "checkpoint" for p in problems)
    assert not any(p.what == "leaf" and p.ident == "#2" for p in problems)  # the stored leaf was rewritten too


def test_proof_ranges_outside_the_log_are_refused(street, budget):
    _grant(street, 2)
    n = merkle_log.size()
    for call in (lambda: proofs.inclusion_proof(index=n, size=n), lambda: proofs.inclusion_proof(index=-1, size=n),
                 lambda: proofs.inclusion_proof(index=0, size=n + 1), lambda: proofs.consistency_proof(first=0, second=n),
                 lambda: proofs.consistency_proof(first=2, second=n + 1),
                 lambda: proofs.consistency_proof(first=n, second=n - 1)):
        with pytest.raises(LedgerRefusal):
            call()
    assert len(proofs.inclusion_proof(index=0, size=2)) == 1


def test_commands_sign_witness_prove_and_check_offline(street, budget, tmp_path, capsys):
    _grant(street, 3)
    call_command("ledger", "checkpoint")
    key = tmp_path / "witness.key"
    call_command("ledger", "witness", "--login", "supervisor", "--key", str(key))
    assert (tmp_path / "witness.key.last").exists()
    out = tmp_path / "bundle.json"
    call_command("ledger", "prove", "--person", "resident", "--out", str(out))
    capsys.readouterr()
    call_command("ledger", "check-proof", str(out), "--log-key", checkpoints.log_verifier_key())
    assert "3" in capsys.readouterr().out
    data = json.loads(out.read_text())
    data["postings"][0]["proof"] = []
    out.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command("ledger", "check-proof", str(out))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(CommandError):
        call_command("ledger", "check-proof", str(tmp_path / "bad.json"))
    with pytest.raises(CommandError):
        call_command("ledger", "prove", "--person", "nobody")
