# SPDX-License-Identifier: Apache-2.0
"""The hostile-table corpus of part `tables` (docs/kernel-suite.md): mutants of valid decision
tables (docs/table-format.md). Every mutator returns the mutated bytes; `corpus()` applies them
with a seeded generator and adds, for each mutant, the same bytes with the checksum repaired
(and, for truncations and splices, with the header's total size repaired too), so that the
checksum is not all that refuses them.
"""
import hashlib
import random
import struct

FNV_OFF, FNV_PRIME, M64 = 0xcbf29ce484222325, 0x100000001b3, (1 << 64) - 1
HDR = 64
DIR_REC = 32
U32_VALUES = (0, 1, 2, 7, 8, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x10000, 0xffff)
U64_VALUES = (0, 1, 8, 0x7fffffffffffffff, 0x8000000000000000, M64, M64 - 7, 1 << 32)


def fnv1a64(data):
    h = FNV_OFF
    for i, c in enumerate(data):
        if 24 <= i < 32:
            c = 0
        h = ((h ^ c) * FNV_PRIME) & M64
    return h


def repair(data, size_too=False):
    """the checksum (and the header's total size) made consistent with the bytes, where they exist"""
    b = bytearray(data)
    if size_too and len(b) >= 24:
        struct.pack_into("<Q", b, 16, len(b))
    if len(b) >= 32:
        struct.pack_into("<Q", b, 24, fnv1a64(b))
    return bytes(b)


def sections(data):
    """[(dir record offset, kind, index, offset, size, count)] of a valid table"""
    n, d = struct.unpack_from("<IQ", data, 36)
    out = []
    for i in range(n):
        at = d + DIR_REC * i
        kind, idx, off, size, cnt = struct.unpack_from("<IIQQQ", data, at)
        out.append((at, kind, idx, off, size, cnt))
    return out


def put(data, at, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, at, value & ((1 << (8 * struct.calcsize(fmt))) - 1))
    return bytes(b)


# ---------------------------------------------------------------- mutators: (rnd, table, other) -> bytes
def m_flip(rnd, t, _):
    b = bytearray(t)
    i = rnd.randrange(len(b))
    b[i] ^= 1 << rnd.randrange(8)
    return bytes(b), "flip byte %d" % i


def m_flips(rnd, t, _):
    b = bytearray(t)
    k = rnd.randint(2, 16)
    for _ in range(k):
        b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
    return bytes(b), "%d bit flips" % k


def m_byte(rnd, t, _):
    b = bytearray(t)
    i = rnd.randrange(len(b))
    b[i] = rnd.choice((0, 0xff, 0x7f, 0x80, rnd.randrange(256)))
    return bytes(b), "byte %d set" % i


def m_truncate(rnd, t, _):
    cuts = [0, 1, 8, 23, 31, HDR - 1, HDR, len(t) - 1, len(t) - 8]
    cuts += [s[3] for s in sections(t)] + [s[3] + s[4] - 1 for s in sections(t) if s[4]]
    n = rnd.choice(cuts) if rnd.random() < 0.5 else rnd.randrange(len(t))
    n = max(0, min(n, len(t) - 1))
    return t[:n], "truncated to %d" % n


def m_splice(rnd, t, o):
    i = rnd.randrange(len(t))
    j = i if rnd.random() < 0.5 or i >= len(o) else rnd.randrange(len(o))
    return t[:i] + o[j:], "splice %d + other from %d" % (i, j)


def m_header(rnd, t, _):
    field = rnd.choice([(8, "<H", (0, 1, 2, 3, 4, 0xffff)), (10, "<H", (0, 8, 63, 65, 128, 0xffff)),
                        (16, "<Q", U64_VALUES + (len(t) + 8, len(t) - 8)), (36, "<I", U32_VALUES),
                        (40, "<Q", U64_VALUES + (len(t), len(t) - 32, HDR + 4)), (12, "<I", (2, 0x80000000)),
                        (48, "<Q", (1,))])
    at, fmt, vals = field
    v = rnd.choice(vals)
    return put(t, at, fmt, v), "header @%d = %#x" % (at, v)


def m_section(rnd, t, _):
    secs = sections(t)
    at, kind, idx, off, size, cnt = rnd.choice(secs)
    what = rnd.choice(["kind", "index", "offset", "size", "count"])
    if what == "kind":
        v = rnd.choice([0, 11, 255, 0xffffffff] + [s[1] for s in secs])
        return put(t, at, "<I", v), "section %d kind = %d" % (kind, v)
    if what == "index":
        v = rnd.choice([1, 5, 8, 16, 31, 0xffffffff])
        return put(t, at + 4, "<I", v), "section %d index = %#x" % (kind, v)
    if what == "offset":
        v = rnd.choice([0, 8, HDR, off + 1, off + 4, off - 8, off + 8, len(t), len(t) - 8] +
                       [s[3] for s in secs] + list(U64_VALUES))
        return put(t, at + 8, "<Q", v), "section %d offset = %#x" % (kind, v)
    if what == "size":
        v = rnd.choice([0, size - 1, size + 1, size - 8, size + 8, size * 2, len(t), len(t) - off + 1] + list(U64_VALUES))
        return put(t, at + 16, "<Q", v), "section %d size = %#x" % (kind, v)
    v = rnd.choice([0, cnt - 1, cnt + 1, cnt * 2, 1 << 32] + list(U64_VALUES))
    return put(t, at + 24, "<Q", v), "section %d count = %#x" % (kind, v)


def m_field(rnd, t, _):
    """an interesting u32 at an aligned place inside a section: counts, offsets, indexes"""
    at, kind, idx, off, size, cnt = rnd.choice([s for s in sections(t) if s[4] >= 4])
    pos = off + 4 * rnd.randrange(size // 4)
    old = struct.unpack_from("<I", t, pos)[0]
    v = rnd.choice(U32_VALUES + (old + 1, old - 1, old * 2 + 1, cnt, size))
    return put(t, pos, "<I", v), "section %d u32 @%d: %#x -> %#x" % (kind, pos - off, old, v & 0xffffffff)


MUTATORS = [(m_flip, 5), (m_flips, 2), (m_byte, 2), (m_truncate, 2), (m_splice, 2), (m_header, 2),
            (m_section, 4), (m_field, 5)]


def corpus(bases, n, seed):
    """bases: [(name, bytes)] valid tables. Returns n-ish (id, bytes, description) mutants:
    n/2 mutations, each raw and repaired; identical byte strings and the bases themselves dropped."""
    rnd = random.Random(seed)
    seen = {hashlib.sha256(b).digest() for _, b in bases}
    out = []
    pool = [m for m, w in MUTATORS for _ in range(w)]
    tries = 0
    while len(out) < n and tries < 20 * n:
        tries += 1
        bi = rnd.randrange(len(bases))
        name, t = bases[bi]
        other = bases[rnd.randrange(len(bases))][1]
        m = rnd.choice(pool)
        data, desc = m(rnd, t, other)
        kind = m.__name__[2:]
        variants = [("raw", data), ("sum", repair(data))]
        if kind in ("truncate", "splice"):
            variants.append(("size+sum", repair(data, size_too=True)))
        for tag, v in variants:
            h = hashlib.sha256(v).digest()
            if h in seen:
                continue
            seen.add(h)
            out.append(("%s-%05d-%s-%s" % (name, len(out), kind, tag), v, "%s of %s (%s)" % (desc, name, tag)))
    return out
