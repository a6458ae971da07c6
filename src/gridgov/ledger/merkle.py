"""RFC 6962 / RFC 9162 Merkle tree arithmetic, with no database: hashing, proofs and their verification.

The log's stored nodes (``MerkleNode``) are the hashes of complete, aligned subtrees: node (level, index)
covers leaves ``[index·2^level, (index+1)·2^level)``. Every subtree an RFC 9162 proof names is either one
of them or a right edge made of a few of them, so a proof is ``needed_nodes`` (O(log n) addresses, read in
one query) followed by ``inclusion_proof`` / ``consistency_proof`` over what was read.

The verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 to the letter and accept nothing else: a proof one
hash short or long, a size or index off by one, is refused. ``gridgov/ledger/static/ledger/verify.js``
is the same algorithm for the browser.
"""

import hashlib
from collections.abc import Callable

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()

Address = tuple[int, int]  # (level, index)


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


# ---------------------------------------------------------------------------------------------- appending

def appended_nodes(frontier: dict[Address, bytes], size: int, leaves: list[bytes]) -> list[tuple[int, int, bytes]]:
    """The nodes (level, index, hash) completed by appending leaf hashes ``leaves`` to a tree of ``size``
    whose right-edge nodes are ``frontier`` (``frontier_addresses(size)``, read beforehand). Updates
    ``frontier`` in place to the new tree's. About two nodes per leaf, and no read beyond the frontier."""
    written = []
    for offset, value in enumerate(leaves):
        level, index = 0, size + offset
        frontier[(0, index)] = value
        written.append((0, index, value))
        while index & 1:
            value = node_hash(frontier.pop((level, index - 1)), value)
            frontier.pop((level, index), None)
            level, index = level + 1, index >> 1
            frontier[(level, index)] = value
            written.append((level, index, value))
    return written


def frontier_addresses(size: int) -> list[Address]:
    """The complete subtrees a tree of ``size`` leaves is made of, left to right (one per bit of ``size``)."""
    addresses, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            addresses.append((level, start >> level))
            start += 1 << level
    return addresses


# ---------------------------------------------------------------------------------------------- subtrees

def _range_nodes(start: int, end: int) -> list[Address]:
    """The stored nodes that make up the subtree of leaves [start, end), as RFC 6962 splits it."""
    width = end - start
    if width & (width - 1) == 0 and start % width == 0:
        return [(width.bit_length() - 1, start // width)]
    k = _split(width)
    return _range_nodes(start, start + k) + _range_nodes(start + k, end)


def _range_hash(start: int, end: int, nodes: dict[Address, bytes]) -> bytes:
    width = end - start
    if width & (width - 1) == 0 and start % width == 0:
        return nodes[(width.bit_length() - 1, start // width)]
    k = _split(width)
    return node_hash(_range_hash(start, start + k, nodes), _range_hash(start + k, end, nodes))


def _inclusion_ranges(index: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(m, D[start:end]) as the ranges whose hashes it lists, leaf side first."""
    if end - start <= 1:
        return []
    k = _split(end - start)
    if index < start + k:
        return _inclusion_ranges(index, start, start + k) + [(start + k, end)]
    return _inclusion_ranges(index, start + k, end) + [(start, start + k)]


def _consistency_ranges(first: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:end], b) as ranges."""
    if start + first == end:
        return [] if whole else [(start, end)]
    k = _split(end - start)
    if first <= k:
        return _consistency_ranges(first, start, start + k, whole) + [(start + k, end)]
    return _consistency_ranges(first - k, start + k, end, False) + [(start, start + k)]


def _proof_ranges(kind: str, a: int, b: int) -> list[tuple[int, int]]:
    if kind == "inclusion":
        if not 0 <= a < b:
            raise ValueError("leaf index outside the tree")
        return _inclusion_ranges(a, 0, b)
    if not 0 < a <= b:
        raise ValueError("sizes out of order")
    return _consistency_ranges(a, 0, b, True) if a < b else []


def needed_nodes(kind: str, a: int, b: int) -> list[Address]:
    """What to read for an ``inclusion`` proof (a = leaf index, b = size), a ``consistency`` proof
    (a = first size, b = second size) or a ``root`` (b = size): at most about 2·log2(b) addresses."""
    if kind == "root":
        return frontier_addresses(b)
    return sorted({address for start, end in _proof_ranges(kind, a, b) for address in _range_nodes(start, end)})


def proof(kind: str, a: int, b: int, nodes: dict[Address, bytes]) -> list[bytes]:
    """The proof's hashes from the nodes read for ``needed_nodes(kind, a, b)``."""
    return [_range_hash(start, end, nodes) for start, end in _proof_ranges(kind, a, b)]


def root(size: int, nodes: dict[Address, bytes]) -> bytes:
    return _range_hash(0, size, nodes) if size else EMPTY_ROOT


def tree_root(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes, built from scratch (for checks and tests; the log never rebuilds)."""
    frontier: dict[Address, bytes] = {}
    appended_nodes(frontier, 0, leaves)
    return root(len(leaves), frontier)


def read_with(fetch: Callable[[list[Address]], dict[Address, bytes]], kind: str, a: int, b: int) -> list[bytes]:
    return proof(kind, a, b, fetch(needed_nodes(kind, a, b)))


# ---------------------------------------------------------------------------------------------- verifying

def root_from_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes | None:
    """The root that ``path`` leads to from leaf ``index`` of a tree of ``size`` (RFC 9162 §2.1.3.2), or
    None when the path cannot belong to that position (too long, too short, a hash not 32 bytes)."""
    if not (0 <= index < size) or any(len(item) != 32 for item in path):
        return None
    fn, sn, result = index, size - 1, leaf
    for item in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(item, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, item)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    found = root_from_inclusion(index, size, leaf, path)
    return found is not None and found == expected_root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, path: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 (a tree is consistent with itself only with an empty proof and the same root)."""
    if not (0 < first <= second) or any(len(item) != 32 for item in path):
        return False
    if first == second:
        return not path and first_root == second_root
    path = list(path)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    if not path:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first_result = second_result = path[0]
    for item in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first_result, second_result = node_hash(item, first_result), node_hash(item, second_result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            second_result = node_hash(second_result, item)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and first_result == first_root and second_result == second_root
