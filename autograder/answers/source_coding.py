"""Known mistakes and alternative correct answers for 02-source-coding.

See :mod:`autograder.answers` for the rules. The arithmetic coder is graded as a pair: the
encoder at ``ALTERNATIVES["arithmetic_encode"][i]`` goes with the decoder at
``ALTERNATIVES["arithmetic_decode"][i]``.
"""

from __future__ import annotations

import numpy as np

from autograder.answers import Mistake

# ---------------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------------


def kraft_sum_base_two(lengths, D=2):
    # The alphabet size is ignored: every code is treated as binary.
    lengths = np.asarray(lengths, dtype=float)
    return float(np.sum(2.0**-lengths))


def kraft_sum_integer_power(lengths, D=2):
    # NumPy refuses integer ** negative integer: ValueError for lists or arrays of ints.
    return float(np.sum(D ** -np.asarray(lengths)))


def is_prefix_free_kraft(codewords):
    # Kraft's inequality is necessary for a prefix code, not sufficient for a given list.
    return sum(2.0 ** -len(word) for word in codewords) <= 1


def is_prefix_free_one_direction(codewords):
    # Only asks whether a *later* codeword starts with an earlier one.
    words = list(codewords)
    return not any(
        words[j].startswith(words[i]) for i in range(len(words)) for j in range(i + 1, len(words))
    )


def is_prefix_free_set(codewords):
    # Deduplicates first, so a repeated codeword slips through.
    words = sorted(set(codewords))
    return not any(b.startswith(a) for a, b in zip(words, words[1:]))


def shannon_lengths_floor_plus_one(p):
    p = np.asarray(p, dtype=float)
    lengths = np.zeros(p.shape, dtype=np.int64)
    lengths[p > 0] = np.floor(-np.log2(p[p > 0])) + 1
    return lengths


def shannon_lengths_natural_log(p):
    p = np.asarray(p, dtype=float)
    lengths = np.zeros(p.shape, dtype=np.int64)
    lengths[p > 0] = np.ceil(-np.log(p[p > 0]))
    return lengths


def huffman_merge_largest(p):
    import heapq

    p = np.asarray(p, dtype=float)
    symbols = [i for i in range(p.size) if p[i] > 0]
    if len(symbols) == 1:
        return {symbols[0]: "0"}
    code = {i: "" for i in symbols}
    heap = [(-float(p[i]), i, [i]) for i in symbols]  # max-heap: merges the two LARGEST
    heapq.heapify(heap)
    next_id = p.size
    while len(heap) > 1:
        w0, _, g0 = heapq.heappop(heap)
        w1, _, g1 = heapq.heappop(heap)
        for i in g0:
            code[i] = "0" + code[i]
        for i in g1:
            code[i] = "1" + code[i]
        heapq.heappush(heap, (w0 + w1, next_id, g0 + g1))
        next_id += 1
    return code


def huffman_empty_single_codeword(p):
    import heapq

    p = np.asarray(p, dtype=float)
    symbols = [i for i in range(p.size) if p[i] > 0]
    code = {i: "" for i in symbols}  # one symbol is left with the empty codeword
    heap = [(float(p[i]), i, [i]) for i in symbols]
    heapq.heapify(heap)
    next_id = p.size
    while len(heap) > 1:
        w0, _, g0 = heapq.heappop(heap)
        w1, _, g1 = heapq.heappop(heap)
        for i in g0:
            code[i] = "0" + code[i]
        for i in g1:
            code[i] = "1" + code[i]
        heapq.heappush(heap, (w0 + w1, next_id, g0 + g1))
        next_id += 1
    return code


def huffman_codes_zero_probabilities(p):
    import heapq

    p = np.asarray(p, dtype=float)
    symbols = list(range(p.size))  # symbols that never occur get codewords too
    if len(symbols) == 1:
        return {0: "0"}
    code = {i: "" for i in symbols}
    heap = [(float(p[i]), i, [i]) for i in symbols]
    heapq.heapify(heap)
    next_id = p.size
    while len(heap) > 1:
        w0, _, g0 = heapq.heappop(heap)
        w1, _, g1 = heapq.heappop(heap)
        for i in g0:
            code[i] = "0" + code[i]
        for i in g1:
            code[i] = "1" + code[i]
        heapq.heappush(heap, (w0 + w1, next_id, g0 + g1))
        next_id += 1
    return code


def encode_with_separator(symbols, code):
    return " ".join(code[s] for s in symbols)


def decode_ignores_leftover(bits, code):
    symbol_of = {word: s for s, word in code.items()}
    symbols, word = [], ""
    for bit in bits:
        word += bit
        if word in symbol_of:
            symbols.append(symbol_of[word])
            word = ""
    return symbols  # bits left in `word` are silently dropped


def arithmetic_encode_float(symbols, p):
    # The interval [low, low + width) in float64: after ~50 bits of information `low` has no
    # precision left, and `width` underflows to 0 after ~1075 bits.
    p = [float(x) for x in p]
    cumulative = [0.0]
    for x in p:
        cumulative.append(cumulative[-1] + x)
    low, width = 0.0, 1.0
    for s in symbols:
        low = low + width * cumulative[s]
        width = width * p[s]
    bits, value, step = "", 0.0, 0.5
    while value < low and len(bits) < 1100:  # shortest binary fraction in [low, low + width)
        if value + step < low + width:
            value += step
            bits += "1"
        else:
            bits += "0"
        step /= 2
    return bits


def arithmetic_decode_float(bits, p, n):
    p = [float(x) for x in p]
    cumulative = [0.0]
    for x in p:
        cumulative.append(cumulative[-1] + x)
    value = int(bits, 2) / 2 ** len(bits) if bits else 0.0
    low, width = 0.0, 1.0
    symbols = []
    for _ in range(n):
        position = (value - low) / width if width > 0 else 0.0
        s = 0
        while s < len(p) - 1 and (p[s] == 0 or position >= cumulative[s + 1]):
            s += 1
        symbols.append(s)
        low = low + width * cumulative[s]
        width = width * p[s]
    return symbols


def arithmetic_decode_nothing_from_no_bits(bits, p, n):
    from fractions import Fraction

    if not bits:
        return []  # but a certain symbol (P = 1) is sent as no bits at all
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    total = sum(freq)
    start = [sum(freq[:i]) for i in range(len(freq))]
    a, b = int(bits, 2), 1 << len(bits)  # v = a / b
    symbols = []
    for _ in range(n):
        target = (a * total) // b
        s = max(i for i in range(len(freq)) if freq[i] > 0 and start[i] <= target)
        symbols.append(s)
        a, b = a * total - start[s] * b, b * freq[s]
    return symbols


MISTAKES = [
    Mistake(
        "kraft_sum",
        "base 2 hard-coded",
        "The Kraft sum of a D-ary code is sum(D ** -l): with D = 3 each codeword of length l "
        "uses up 3 ** -l of the code space, not 2 ** -l. Use the argument D.",
        kraft_sum_base_two,
    ),
    Mistake(
        "kraft_sum",
        "integer to a negative power",
        "NumPy raises 'Integers to negative integer powers are not allowed' for D ** -lengths "
        "when both are ints: convert to float first, e.g. float(D) ** -np.asarray(lengths, "
        "dtype=float).",
        kraft_sum_integer_power,
    ),
    Mistake(
        "is_prefix_free",
        "Kraft sum instead of a prefix test",
        "Kraft's inequality tells you that SOME prefix code with these lengths exists, not that "
        "these codewords are one: ['0', '01'] has Kraft sum 0.75 but '0' is a prefix of '01'. "
        "Compare the codewords themselves.",
        is_prefix_free_kraft,
    ),
    Mistake(
        "is_prefix_free",
        "checks only one direction",
        "A codeword can be a prefix of one that comes before it in the list, as in ['01', '0']; "
        "check every pair both ways (or sort the codewords and compare neighbours).",
        is_prefix_free_one_direction,
    ),
    Mistake(
        "is_prefix_free",
        "repeated codewords allowed",
        "A codeword that appears twice is a prefix of itself and makes decoding ambiguous; do "
        "not remove duplicates with set() before checking.",
        is_prefix_free_set,
    ),
    Mistake(
        "shannon_lengths",
        "floor(-log2 p) + 1",
        "floor(x) + 1 equals ceil(x) except when x is an integer: for p = 0.25 it gives 3 "
        "instead of 2. Use the ceiling of -log2 p.",
        shannon_lengths_floor_plus_one,
    ),
    Mistake(
        "shannon_lengths",
        "natural log instead of log2",
        "Binary codeword lengths count bits, so the logarithm must be base 2 (np.log2), not the "
        "natural log.",
        shannon_lengths_natural_log,
    ),
    Mistake(
        "huffman_code",
        "merges the two most probable nodes",
        "Huffman merges the two LEAST probable nodes, so that rare symbols end up deep in the "
        "tree with long codewords; merging the largest does the opposite.",
        huffman_merge_largest,
    ),
    Mistake(
        "huffman_code",
        "empty codeword for a single symbol",
        "With only one symbol of positive probability the merge loop never runs and its "
        "codeword stays empty, which cannot be transmitted; give it the codeword '0'.",
        huffman_empty_single_codeword,
    ),
    Mistake(
        "huffman_code",
        "codewords for impossible symbols",
        "Symbols with probability 0 never occur and must not get a codeword (the dict has keys "
        "only for p_i > 0); leave them out before building the tree.",
        huffman_codes_zero_probabilities,
    ),
    Mistake(
        "encode",
        "separators between codewords",
        "A prefix code needs no separators: the encoding is the plain concatenation of the "
        "codewords, with nothing in between.",
        encode_with_separator,
    ),
    Mistake(
        "decode",
        "leftover bits ignored",
        "When the bits end in the middle of a codeword (or with bits no codeword matches), the "
        "input does not split into codewords: raise ValueError instead of dropping them.",
        decode_ignores_leftover,
    ),
    Mistake(
        "arithmetic_encode",
        "floating-point interval",
        "A float64 interval keeps only 53 significant bits: after a few dozen symbols, "
        "messages that differ only near their end get the same low end, hence the same code, "
        "and the width underflows. Keep low and width exactly, with Python integers or "
        "fractions.Fraction.",
        arithmetic_encode_float,
        companions={"arithmetic_decode": arithmetic_decode_float},
    ),
    Mistake(
        "arithmetic_decode",
        "floating-point decoder",
        "Your decoder is checked on what your own arithmetic_encode wrote. In float64 (in the "
        "decoder or in the encoder) the interval is lost after about 50 bits of information, "
        "so long messages come back wrong. Read the bits as an exact fraction and narrow the "
        "interval exactly, with Python integers or fractions.Fraction, in both functions.",
        arithmetic_decode_float,
        companions={"arithmetic_encode": arithmetic_encode_float},
    ),
    Mistake(
        "arithmetic_decode",
        "no bits, no symbols",
        "An empty bit string is not always the empty message: a message of probability 1 (one "
        "certain symbol, repeated n times) needs no bits at all, and must still come back as n "
        "symbols. Decode n symbols whatever the length of the bits.",
        arithmetic_decode_nothing_from_no_bits,
    ),
]

# ---------------------------------------------------------------------------------------------
# Alternatives (correct, written unlike the reference)
# ---------------------------------------------------------------------------------------------


def kraft_sum_loop(lengths, D=2):
    lengths = np.asarray(lengths, dtype=float)
    if lengths.ndim != 1:
        raise ValueError("lengths must be 1-D")
    if D < 2:
        raise ValueError("D must be at least 2")
    total = 0.0
    for length in lengths:
        if length < 0:
            raise ValueError("lengths must be non-negative")
        total += float(D) ** -float(length)
    return total


def is_prefix_free_pairs(codewords):
    words = list(codewords)
    for i, a in enumerate(words):
        for j, b in enumerate(words):
            if i != j and b.startswith(a):
                return False
    return True


def is_prefix_free_trie(codewords):
    root = {}
    for word in codewords:
        node = root
        for bit in word:
            if "end" in node:  # an earlier codeword is a prefix of this one
                return False
            node = node.setdefault(bit, {})
        if node:  # this codeword ends where another one ends or passes through
            return False
        node["end"] = True
    return True


def shannon_lengths_search(p):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError("p must be 1-D")
    lengths = np.zeros(len(p), dtype=np.int64)
    for i, pi in enumerate(p):
        if not 0 <= pi <= 1:
            raise ValueError("p must have entries in [0, 1]")
        if pi > 0:
            length = 0
            while 2.0**-length > pi:  # smallest length with 2**-length <= p_i, exactly
                length += 1
            lengths[i] = length
    return lengths


def shannon_lengths_frexp(p):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError("p must be 1-D")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError("p must have entries in [0, 1]")
    # p = m * 2**e with 0.5 <= m < 1, so -log2 p = -e - log2 m lies in [-e, 1 - e), with
    # equality only at m = 0.5: ceil(-log2 p) = 1 - e exactly, no logarithm needed.
    _, exponent = np.frexp(p)
    return np.where(p > 0, 1 - exponent, 0).astype(np.int64)


def huffman_code_sorted_list(p):
    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p must be a non-empty 1-D array")
    if np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    nodes = sorted(((float(p[i]), i) for i in range(p.size) if p[i] > 0), reverse=True)
    if len(nodes) == 1:
        return {nodes[0][1]: "0"}
    # nodes sorted by decreasing weight; a merged node goes BEFORE equal weights, so it is
    # merged later than the original symbols (the reference breaks ties the other way).
    while len(nodes) > 1:
        w_small, small = nodes.pop()
        w_next, nxt = nodes.pop()
        merged = (w_small + w_next, (small, nxt))  # '1' goes to the smaller, '0' to the next
        position = 0
        while position < len(nodes) and nodes[position][0] > merged[0]:
            position += 1
        nodes.insert(position, merged)
    code, stack = {}, [(nodes[0][1], "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, tuple):
            stack.append((node[0], prefix + "1"))
            stack.append((node[1], prefix + "0"))
        else:
            code[node] = prefix
    return code


def huffman_code_canonical(p):
    import heapq

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("p must be a non-empty 1-D array")
    if np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    symbols = [i for i in range(p.size) if p[i] > 0]
    if len(symbols) == 1:
        return {symbols[0]: "0"}
    # 1) Huffman only for the lengths: each merge makes every member one bit longer.
    length = dict.fromkeys(symbols, 0)
    heap = [(float(p[i]), -i, (i,)) for i in symbols]  # ties: larger index first
    heapq.heapify(heap)
    counter = 1
    while len(heap) > 1:
        w0, _, g0 = heapq.heappop(heap)
        w1, _, g1 = heapq.heappop(heap)
        for i in g0 + g1:
            length[i] += 1
        heapq.heappush(heap, (w0 + w1, counter, g0 + g1))
        counter += 1
    # 2) Canonical codewords: consecutive binary numbers in order of (length, symbol).
    code, value, previous = {}, 0, 0
    for i in sorted(symbols, key=lambda i: (length[i], i)):
        value <<= length[i] - previous
        code[i] = format(value, f"0{length[i]}b")
        value += 1
        previous = length[i]
    return code


def encode_loop(symbols, code):
    bits = ""
    for s in symbols:
        try:
            bits += code[s]
        except KeyError:
            raise ValueError(f"no codeword for symbol {s!r}") from None
    return bits


def decode_trie(bits, code):
    root = {}
    for symbol, word in code.items():
        if word == "":
            raise ValueError("empty codeword")
        node = root
        for bit in word[:-1]:
            node = node.setdefault(bit, {})
            if not isinstance(node, dict):
                raise ValueError("code is not prefix-free")
        if word[-1] in node:
            raise ValueError("code is not prefix-free")
        node[word[-1]] = ("leaf", symbol)
    symbols, node = [], root
    for position, bit in enumerate(bits):
        if bit not in node:
            raise ValueError(f"no codeword continues with bit {bit!r} at position {position}")
        node = node[bit]
        if isinstance(node, tuple):
            symbols.append(node[1])
            node = root
    if node is not root:
        raise ValueError("bits end in the middle of a codeword")
    return symbols


def arithmetic_encode_range_coder(symbols, p):
    # Witten–Neal–Cleary integer coder: a finite window [low, high] that is renormalised by
    # shifting out settled bits (with "pending" bits for the straddling case).
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    total = sum(freq)
    cumulative = [0]
    for f in freq:
        cumulative.append(cumulative[-1] + f)
    precision = total.bit_length() + 64
    full = 1 << precision
    half, quarter = full >> 1, full >> 2
    low, high, pending, out = 0, full - 1, 0, []
    for s in symbols:
        s = int(s)
        if not 0 <= s < len(freq) or freq[s] == 0:
            raise ValueError(f"symbol {s} cannot be encoded")
        span = high - low + 1
        high = low + span * cumulative[s + 1] // total - 1
        low = low + span * cumulative[s] // total
        while True:
            if high < half:
                out.append("0" + "1" * pending)
                pending = 0
            elif low >= half:
                out.append("1" + "0" * pending)
                pending = 0
                low, high = low - half, high - half
            elif low >= quarter and high < half + quarter:
                pending += 1
                low, high = low - quarter, high - quarter
            else:
                break
            low, high = 2 * low, 2 * high + 1
    pending += 1  # two more bits pick a quarter that lies inside [low, high]
    out.append("0" + "1" * pending if low < quarter else "1" + "0" * pending)
    return "".join(out)


def arithmetic_decode_range_coder(bits, p, n):
    import bisect
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    if any(bit not in "01" for bit in bits):
        raise ValueError("bits must be '0'/'1'")
    if n < 0:
        raise ValueError("n must be non-negative")
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    total = sum(freq)
    cumulative = [0]
    for f in freq:
        cumulative.append(cumulative[-1] + f)
    precision = total.bit_length() + 64
    full = 1 << precision
    half, quarter = full >> 1, full >> 2
    value = int(bits[:precision].ljust(precision, "0"), 2)
    position = precision
    low, high, symbols = 0, full - 1, []
    for _ in range(n):
        span = high - low + 1
        target = ((value - low + 1) * total - 1) // span
        s = bisect.bisect_right(cumulative, target) - 1
        symbols.append(s)
        high = low + span * cumulative[s + 1] // total - 1
        low = low + span * cumulative[s] // total
        while True:
            if high < half:
                pass
            elif low >= half:
                low, high, value = low - half, high - half, value - half
            elif low >= quarter and high < half + quarter:
                low, high, value = low - quarter, high - quarter, value - quarter
            else:
                break
            next_bit = 1 if position < len(bits) and bits[position] == "1" else 0
            low, high, value = 2 * low, 2 * high + 1, 2 * value + next_bit
            position += 1
    return symbols


def arithmetic_encode_midpoint(symbols, p):
    # Shannon–Fano–Elias convention: the first ceil(-log2 W) + 1 bits of the interval's
    # midpoint, with the interval kept as exact integers over total**n.
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    total = sum(freq)
    low, width, n = 0, 1, 0
    for s in symbols:
        s = int(s)
        if not 0 <= s < len(freq) or freq[s] == 0:
            raise ValueError(f"symbol {s} cannot be encoded")
        low = low * total + width * sum(freq[:s])
        width *= freq[s]
        n += 1
    scale = total**n
    k = 1  # smallest k with 2**-(k - 1) <= width / scale
    while (width << (k - 1)) < scale:
        k += 1
    m = ((2 * low + width) << k) // (2 * scale)  # floor(midpoint * 2**k)
    return format(m, f"0{k}b")


def arithmetic_decode_midpoint(bits, p, n):
    from fractions import Fraction

    p = np.asarray(p, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any(p < 0) or abs(p.sum() - 1) > 1e-6:
        raise ValueError("p must be a probability vector")
    if any(bit not in "01" for bit in bits):
        raise ValueError("bits must be '0'/'1'")
    if n < 0:
        raise ValueError("n must be non-negative")
    exact = [Fraction(float(x)) for x in p]
    denominator = max(f.denominator for f in exact)
    freq = [f.numerator * (denominator // f.denominator) for f in exact]
    total = sum(freq)
    k = len(bits)
    scaled_value = int(bits, 2) if bits else 0  # v * 2**k * total**t, kept exact
    low, width, symbols = 0, 1, []  # interval [low, low + width) / total**t
    for _ in range(n):
        scaled_value *= total
        # v lies in the slice of symbol s iff start_s <= (v total**(t+1) - low total) / width
        target = (scaled_value - ((low * total) << k)) // (width << k)
        s, start = 0, 0
        while freq[s] == 0 or start + freq[s] <= target:
            start += freq[s]
            s += 1
        symbols.append(s)
        low = low * total + width * start
        width *= freq[s]
    return symbols


ALTERNATIVES = {
    "kraft_sum": [kraft_sum_loop],
    "is_prefix_free": [is_prefix_free_pairs, is_prefix_free_trie],
    "shannon_lengths": [shannon_lengths_search, shannon_lengths_frexp],
    "huffman_code": [huffman_code_sorted_list, huffman_code_canonical],
    "encode": [encode_loop],
    "decode": [decode_trie],
    "arithmetic_encode": [arithmetic_encode_range_coder, arithmetic_encode_midpoint],
    "arithmetic_decode": [arithmetic_decode_range_coder, arithmetic_decode_midpoint],
}
