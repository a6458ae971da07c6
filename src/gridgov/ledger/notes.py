"""Signed notes and checkpoints, as C2SP defines them (c2sp.org/signed-note, c2sp.org/tlog-checkpoint),
with Ed25519 keys from ``cryptography``. Nothing here touches the database, so a verifier needs only this.

A checkpoint's body is three lines: origin, tree size in decimal, root hash in base64. A signed note is the
body, a blank line, and one line per signature: ``— <key name> <base64(key hash ‖ signature)>``, where the
key hash is the first four bytes of SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key). A verifier key is written
``<name>+<key hash in hex>+<base64(0x01 ‖ public key)>``.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = b"\x01"
DASH = "\u2014"
MAX_NOTE = 16000
MAX_SIZE = 2**63 - 1


class NoteError(ValueError):
    """A note or key that does not parse."""


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verifier_key(name: str, public: bytes) -> str:
    return f"{name}+{key_hash(name, public).hex()}+{base64.b64encode(ED25519 + public).decode()}"


def parse_verifier_key(text: str) -> tuple[str, bytes, bytes]:
    """(name, key hash, public key) of a verifier key, checking its hash."""
    try:
        name, hash_hex, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
        declared = bytes.fromhex(hash_hex)
    except (ValueError, binascii.Error):
        raise NoteError("not a verifier key (name+hash+key)") from None
    if not name or len(declared) != 4 or len(raw) != 33 or raw[:1] != ED25519:
        raise NoteError("not an Ed25519 verifier key")
    if key_hash(name, raw[1:]) != declared:
        raise NoteError("the verifier key's hash does not match its name and key")
    return name, declared, raw[1:]


def signature_line(body: str, name: str, private: Ed25519PrivateKey) -> str:
    signature = private.sign(body.encode())
    encoded = base64.b64encode(key_hash(name, public_bytes(private)) + signature).decode()
    return f"{DASH} {name} {encoded}\n"


def split(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """(body, [(key name, key hash, signature)]) of a signed note."""
    if len(note) > MAX_NOTE:
        raise NoteError("the note is too long")
    body, separator, signatures = note.rpartition("\n\n")
    if not separator or not body or not note.endswith("\n"):
        raise NoteError("not a signed note (body, blank line, signatures)")
    found = []
    for line in signatures[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not parts[1]:
            raise NoteError("a signature line is malformed")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError("a signature is not base64") from None
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        found.append((parts[1], raw[:4], raw[4:]))
    return body + "\n", found


def signed_by(note: str, verifier: str) -> bool:
    """Whether ``note`` carries a valid signature of the key ``verifier`` over its body."""
    name, declared, public = parse_verifier_key(verifier)
    body, signatures = split(note)
    key = Ed25519PublicKey.from_public_bytes(public)
    for signer, signer_hash, signature in signatures:
        if signer == name and signer_hash == declared:
            try:
                key.verify(signature, body.encode())
                return True
            except InvalidSignature:
                return False
    return False


def checkpoint_body(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"


def parse_checkpoint(body: str) -> tuple[str, int, bytes]:
    """(origin, size, root) of a checkpoint body; extension lines after the third are allowed and ignored."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash, one per line")
    origin, size_text, root_text = lines[:3]
    if not origin or not size_text.isascii() or not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
        raise NoteError("the checkpoint's size is not a decimal number")
    size = int(size_text)
    if size > MAX_SIZE:
        raise NoteError("the checkpoint's size is out of range")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise NoteError("the checkpoint's root hash is not base64") from None
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    return origin, size, root


# ---------------------------------------------------------------------------------------------- key files

def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key in ``path`` (PEM, PKCS#8), generated there (mode 0600) if the file does not exist."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it meanwhile: use theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} does not hold an Ed25519 key")
    return key
