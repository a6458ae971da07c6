"""The Merkle log over postings, in the database: appended inside the posting's transaction, read for proofs.

``journal`` calls ``append`` with the leaf hashes of the postings it has just inserted and the frontier it
read with the chain head; the nodes go in with one multi-row INSERT per few thousand and the new frontier
goes back into the head row. A proof reads its O(log n) nodes in one query (``nodes``).
"""

from django.db import connection

from gridgov.ledger import merkle
from gridgov.ledger.models import ChainHead, MerkleNode
from gridgov.sql import any_of, row_sets, table

NODE_TYPES = ("smallint", "bigint", "text")


def frontier_of(size: int, text: str) -> dict[merkle.Address, bytes]:
    """The head row's frontier text as nodes (it lists merkle.frontier_addresses(size), in order)."""
    addresses = merkle.frontier_addresses(size)
    hashes = [bytes.fromhex(text[i:i + 64]) for i in range(0, len(text), 64)]
    if len(hashes) != len(addresses):
        raise RuntimeError("the ledger head's Merkle frontier does not match its size; run `gridgov ledger verify`")
    return dict(zip(addresses, hashes))


def frontier_text(size: int, frontier: dict[merkle.Address, bytes]) -> str:
    return "".join(frontier[address].hex() for address in merkle.frontier_addresses(size))


def append(size: int, frontier: str, leaves: list[bytes]) -> str:
    """Store the nodes that ``leaves`` complete after ``size`` leaves; the new frontier text."""
    nodes = frontier_of(size, frontier)
    written = merkle.appended_nodes(nodes, size, leaves)
    rows = [(level, index, value.hex()) for level, index, value in written]
    with connection.cursor() as cursor:
        for source, params in row_sets(NODE_TYPES, rows):
            cursor.execute(f'INSERT INTO {table(MerkleNode)} (level, "index", hash) {source}', params)
    return frontier_text(size + len(leaves), nodes)


def nodes(addresses: list[merkle.Address]) -> dict[merkle.Address, bytes]:
    """The stored nodes at ``addresses`` (one query per few hundred)."""
    found: dict[merkle.Address, bytes] = {}
    if not addresses:
        return found
    by_level: dict[int, list[int]] = {}
    for level, index in addresses:
        by_level.setdefault(level, []).append(index)
    clauses, params = [], []
    for level, indexes in sorted(by_level.items()):
        for condition, values in any_of('"index"', indexes):
            clauses.append(f"(level = %s AND {condition})")
            params.extend([level, *values])
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT level, "index", hash FROM {table(MerkleNode)} WHERE {" OR ".join(clauses)}', params)
        for level, index, value in cursor.fetchall():
            found[(level, index)] = bytes.fromhex(value)
    if missing := set(addresses) - set(found):
        raise RuntimeError(f"the Merkle log lacks nodes {sorted(missing)[:5]}; run `gridgov ledger verify`")
    return found


def size() -> int:
    head = ChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first()
    return head or 0


def root(tree_size: int) -> bytes:
    return merkle.root(tree_size, nodes(merkle.needed_nodes("root", 0, tree_size))) if tree_size else merkle.EMPTY_ROOT


def inclusion(index: int, tree_size: int) -> list[bytes]:
    return merkle.read_with(nodes, "inclusion", index, tree_size)


def consistency(first: int, second: int) -> list[bytes]:
    return merkle.read_with(nodes, "consistency", first, second)


def leaves(start: int, end: int) -> list[bytes]:
    """Stored leaf hashes [start, end), for ``verify``."""
    rows = MerkleNode.objects.filter(level=0, index__gte=start, index__lt=end).order_by("index")
    return [bytes.fromhex(value) for value in rows.values_list("hash", flat=True)]
