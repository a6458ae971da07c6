"""``gridgov ledger``: verify the chain and the Merkle log, sign checkpoints, witness them, write and check proofs.

    gridgov ledger verify
    gridgov ledger checkpoint                       # cron at the start of each month: 5 0 1 * *
    gridgov ledger witness --login L --key FILE     # the supervisor co-signs the latest checkpoint
    gridgov ledger prove --person LOGIN [--period YYYY-MM] [--out FILE]
    gridgov ledger consistency --first N --second M [--out FILE]
    gridgov ledger check-proof BUNDLE [--log-key KEY]   # needs no database
"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.errors import DomainError
from gridgov.management.base import TranslatedCommand

MAX_BUNDLE_BYTES = 64 * 1024 * 1024


class Command(TranslatedCommand):
    help = gettext_lazy("Points ledger tools: verify the chain and the Merkle log, sign and witness checkpoints, "
                        "write and check proofs.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help=gettext_lazy("Check the hash chain, the Merkle log and every cached balance."))
        sub.add_parser("checkpoint", help=gettext_lazy("Sign a checkpoint of the ledger as it stands."))
        witness = sub.add_parser("witness", help=gettext_lazy("Co-sign the latest checkpoint as a supervisor."))
        witness.add_argument("--login", required=True)
        witness.add_argument("--key", required=True, help=gettext_lazy("The witness's own key file (made if missing)."))
        witness.add_argument("--seen", help=gettext_lazy("A checkpoint note seen elsewhere, to compare instead."))
        prove = sub.add_parser("prove", help=gettext_lazy("Write a person's proof bundle."))
        prove.add_argument("--person", required=True, help=gettext_lazy("The person's login."))
        prove.add_argument("--period", default="", help="YYYY-MM")
        prove.add_argument("--out", default="-")
        consistency = sub.add_parser("consistency", help=gettext_lazy("Write a consistency proof of two checkpoints."))
        consistency.add_argument("--first", type=int, required=True)
        consistency.add_argument("--second", type=int, required=True)
        consistency.add_argument("--out", default="-")
        check = sub.add_parser("check-proof", help=gettext_lazy("Check a proof bundle offline."))
        check.add_argument("bundle")
        check.add_argument("--log-key", default=None, help=gettext_lazy("The installation's public key, to pin."))

    def handle(self, *args, subcommand: str, **options):
        try:
            getattr(self, "do_" + subcommand.replace("-", "_"))(**options)
        except DomainError as error:
            raise CommandError(str(error.message)) from None

    def do_verify(self, **options):
        from gridgov.ledger.verify import verify_ledger

        checked, problems = verify_ledger()
        if problems:
            for problem in problems[:20]:
                self.stderr.write(str(problem))
            raise CommandError(_("Ledger broken at %(first)s (%(count)d problems).")
                               % {"first": problems[0], "count": len(problems)})
        self.stdout.write(_("Ledger OK: %(count)d postings, chain, Merkle log, checkpoints and balances verified.")
                          % {"count": checked})

    def do_checkpoint(self, **options):
        from gridgov.ledger import checkpoints
        from gridgov.orgs.permissions import SYSTEM

        checkpoint = checkpoints.checkpoint_make(actor=SYSTEM)
        self.stdout.write(checkpoint.note, ending="")
        self.stdout.write(_("Public key: %(key)s") % {"key": checkpoints.log_verifier_key()})

    def do_witness(self, *, login, key, seen, **options):
        from gridgov.ledger import checkpoints, notes
        from gridgov.ledger.selectors import checkpoints_page

        person = _person(login)
        if seen:
            checkpoints.witness_check(actor=person, note=_read(seen))
            self.stdout.write(_("The checkpoint agrees with what you signed."))
            return
        latest = checkpoints_page().first()
        if latest is None:
            raise CommandError(_("No checkpoint has been signed yet: run `gridgov ledger checkpoint`."))
        state = Path(key + ".last")
        private = notes.load_or_create_key(Path(key))
        signed = checkpoints.checkpoint_cosign(actor=person, checkpoint=latest, private_key=private,
                                               signed_note=state.read_text() if state.exists() else None)
        state.write_text(latest.note)
        self.stdout.write(signed.signature, ending="")
        self.stdout.write(_("Witness key: %(key)s") % {"key": signed.verifier_key})

    def do_prove(self, *, person, period, out, **options):
        from gridgov.ledger import proofs

        bundle = proofs.person_bundle(person=_person(person), period=period or None)
        self._write(out, bundle)

    def do_consistency(self, *, first, second, out, **options):
        from gridgov.ledger import proofs
        from gridgov.ledger.models import Checkpoint

        found = {c.size: c for c in Checkpoint.objects.filter(size__in=[first, second])}
        if first not in found or second not in found:
            raise CommandError(_("No checkpoint of that size."))
        self._write(out, proofs.consistency_bundle(first=found[first], second=found[second]))

    def do_check_proof(self, *, bundle, log_key, **options):
        from gridgov.ledger import verifier

        try:
            data = json.loads(_read(bundle))
        except ValueError:
            raise CommandError(_("FAILED: the file is not JSON.")) from None
        result = verifier.check(data, log_key=log_key)
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(result.message)

    def _write(self, out: str, bundle: dict) -> None:
        text = json.dumps(bundle, ensure_ascii=False, indent=1)
        if out == "-":
            self.stdout.write(text)
        else:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(_("Wrote %(path)s.") % {"path": out})


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read(MAX_BUNDLE_BYTES)
    try:
        if Path(path).stat().st_size > MAX_BUNDLE_BYTES:
            raise CommandError(_("The file is too big."))
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}) from None


def _person(login: str):
    user = get_user_model().objects.filter(username=login).select_related("person").first()
    person = getattr(user, "person", None) if user else None
    if person is None:
        raise CommandError(_("No person with the login %(login)s.") % {"login": login})
    return person
