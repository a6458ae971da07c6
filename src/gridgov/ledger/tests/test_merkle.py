"""The Merkle arithmetic against RFC 6962 test vectors, and the verifiers against adversarial proofs."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.ledger import merkle

# The certificate-transparency test vectors (merkle_tree_test.cc, also in Go's tlog and Trillian tests).
LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                       "606162636465666768696a6b6c6d6e6f"]]
ROOTS = ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
INCLUSION = {
    (0, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (5, 8): ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 3): ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    (1, 5): ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}
CONSISTENCY = {
    (1, 8): ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    (6, 8): ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"],
    (2, 5): ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"],
}


def _stored(leaf_hashes):
    nodes = {}
    for level, index, value in merkle.appended_nodes({}, 0, leaf_hashes):
        nodes[(level, index)] = value
    return nodes


def test_tree_roots_match_the_rfc_6962_test_vectors():
    hashes = [merkle.leaf_hash(leaf) for leaf in LEAVES]
    assert merkle.tree_root([]) == hashlib.sha256(b"").digest()
    assert [merkle.tree_root(hashes[:n]).hex() for n in range(1, 9)] == ROOTS


def test_inclusion_and_consistency_proofs_match_the_rfc_6962_test_vectors():
    nodes = _stored([merkle.leaf_hash(leaf) for leaf in LEAVES])
    for (index, size), expected in INCLUSION.items():
        assert [h.hex() for h in merkle.proof("inclusion", index, size, nodes)] == expected
    for (first, second), expected in CONSISTENCY.items():
        assert [h.hex() for h in merkle.proof("consistency", first, second, nodes)] == expected


def test_a_proof_reads_only_logarithmically_many_stored_nodes():
    size = 10_000_000
    assert len(merkle.needed_nodes("inclusion", 1_234_567, size)) <= 2 * size.bit_length()
    assert len(merkle.needed_nodes("consistency", 3_000_001, size)) <= 2 * size.bit_length()


def test_appending_in_pieces_stores_the_same_nodes_as_appending_at_once():
    hashes = [merkle.leaf_hash(bytes([i])) for i in range(37)]
    frontier, nodes, size = {}, {}, 0
    for piece in (hashes[:1], hashes[1:5], hashes[5:6], hashes[6:]):
        for level, index, value in merkle.appended_nodes(frontier, size, piece):
            nodes[(level, index)] = value
        size += len(piece)
    assert nodes == _stored(hashes)
    assert merkle.root(size, frontier) == merkle.tree_root(hashes)


leaf_lists = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


def _flip(value: bytes, bit: int) -> bytes:
    position = bit % (len(value) * 8)
    return value[:position // 8] + bytes([value[position // 8] ^ (1 << position % 8)]) + value[position // 8 + 1:]


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_every_inclusion_proof_verifies_and_any_single_change_fails(leaves, data):
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    nodes = _stored(hashes)
    size = data.draw(st.integers(1, len(hashes)))
    index = data.draw(st.integers(0, size - 1))
    root = merkle.root(size, nodes)
    path = merkle.proof("inclusion", index, size, nodes)
    assert merkle.verify_inclusion(index, size, hashes[index], path, root)
    bit = data.draw(st.integers(0, 255))
    assert not merkle.verify_inclusion(index, size, _flip(hashes[index], bit), path, root)
    assert not merkle.verify_inclusion(index, size, hashes[index], path, _flip(root, bit))
    if path:
        at = data.draw(st.integers(0, len(path) - 1))
        assert not merkle.verify_inclusion(index, size, hashes[index], path[:at] + [_flip(path[at], bit)]
                                           + path[at + 1:], root)
        assert not merkle.verify_inclusion(index, size, hashes[index], path[:-1], root)  # a partial proof
        assert not merkle.verify_inclusion(index, size, hashes[index], path[1:], root)
    assert not merkle.verify_inclusion(index, size, hashes[index], path + [root], root)
    # A changed tree size is caught by the checkpoint's signature, which binds size and root together
    # (test_proofs: a bundle whose checkpoint size was edited fails); here: sizes the index cannot be in.
    assert not merkle.verify_inclusion(size, size, hashes[index], path, root)
    assert not merkle.verify_inclusion(-1, size, hashes[index], path, root)


@settings(max_examples=150, deadline=None)
@given(leaf_lists, st.data())
def test_every_consistency_proof_verifies_and_any_single_change_fails(leaves, data):
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    nodes = _stored(hashes)
    second = data.draw(st.integers(1, len(hashes)))
    first = data.draw(st.integers(1, second))
    first_root, second_root = merkle.root(first, nodes), merkle.root(second, nodes)
    path = merkle.proof("consistency", first, second, nodes)
    assert merkle.verify_consistency(first, second, first_root, second_root, path)
    bit = data.draw(st.integers(0, 255))
    assert not merkle.verify_consistency(first, second, _flip(first_root, bit), second_root, path)
    assert not merkle.verify_consistency(first, second, first_root, _flip(second_root, bit), path)
    if path:
        at = data.draw(st.integers(0, len(path) - 1))
        assert not merkle.verify_consistency(first, second, first_root, second_root,
                                             path[:at] + [_flip(path[at], bit)] + path[at + 1:])
        assert not merkle.verify_consistency(first, second, first_root, second_root, path[:-1])
    assert not merkle.verify_consistency(first, second, first_root, second_root, path + [first_root])
    if first < second:
        assert not merkle.verify_consistency(first, second, first_root, second_root, [])
        assert not merkle.verify_consistency(first, first, first_root, second_root, path)
    assert not merkle.verify_consistency(0, second, first_root, second_root, path)
    assert not merkle.verify_consistency(second, first, second_root, first_root, path) or first == second
