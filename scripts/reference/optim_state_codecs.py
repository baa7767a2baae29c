"""Reference cases for the codecs of low-precision optimizer state (issue 14, spec14.md).

Writes packages/descent/test/kernels/fixtures/state-codecs.json. What it evaluates, and from where
(the codecs themselves are in state_codecs.py, each naming its source):

- maps: bitsandbytes' create_dynamic_map(signed=True / False), built with torch float32 linspace
  as bitsandbytes/functional.py builds it (256 float32 values each, sorted).
- bfloat16 nearest even: torch 1.13's float32 -> bfloat16 conversion (a 0-dim tensor's
  `.to(torch.bfloat16)`, which is c10's round_to_nearest_even), checked against the restated rule
  and, for every non-NaN input, against the vectorized conversion of a whole tensor. NaN: c10
  gives 0x7FC0, the spec's value; the vectorized CPU path of 1.13 gives 0xFFFF (also a NaN).
- The stochastic rounding's generator (mix, key, r_i of spec14.md), in Python integers and
  checked against a numpy uint32 evaluation, and torchao's rounding rule on chosen (bits, r).
- quantize_2D (bitsandbytes csrc/kernels.cu) restated literally in numpy float32, on both maps:
  every map value, every float32 midpoint of neighbours and one ulp either side, edges, randoms.
- Whole-block encodes (bitsandbytes' blockwise 8-bit encode with spec14.md's rule for absmax 0
  or non-finite): absmax, codes and decoded values.

Encoding (JSON has no NaN, infinities or -0 to rely on): every float that may be non-finite or
-0 is given as its float32 bits, an unsigned 32-bit integer (`...Bits` keys); bfloat16 values are
their 16 bits. The maps are plain numbers (finite, exact in JSON: a float32 is a double).
"""

import json
import os
import random
import sys

import numpy as np
import torch

from common import ROOT
from state_codecs import (BLOCK, MAPS, ZERO, decode_blocks, encode_blocks, f32_bits, float_to_bf16_rne,
                          float_to_bf16_sr, key, mix, quantize_2d, random16, random16_array, sign_fix)

PATH = "packages/descent/test/kernels/fixtures/state-codecs.json"
rng = random.Random(14)

# ---------------------------------------------------------------------------------------------
# Maps
maps = {"signed": [float(v) for v in MAPS[True]], "unsigned": [float(v) for v in MAPS[False]]}
for s, name in ((True, "signed"), (False, "unsigned")):
    assert len(maps[name]) == 256 and all(a < b for a, b in zip(maps[name], maps[name][1:])), name
assert ZERO == {True: 127, False: 0} and maps["signed"][255] == 1.0 and maps["unsigned"][255] == 1.0

# ---------------------------------------------------------------------------------------------
# bfloat16, nearest even
special = [
    0x00000000, 0x80000000,  # +-0
    0x00000001, 0x80000001, 0x00007FFF, 0x00008000, 0x00008001, 0x00018000, 0x007FFFFF, 0x807FFFFF,  # subnormals
    0x00800000, 0x3F800000, 0xBF800000, 0x3F808000, 0x3F818000, 0x3F807FFF, 0x3F808001, 0x3F818001,  # ties odd/even
    0xBF808000, 0xBF818000, 0x3F80FFFF, 0x3FFFFFFF, 0x3FFF8000, 0x3FFF7FFF,
    0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0x7F7EFFFF, 0x7F7E8000,  # largest finite (rounds to inf)
    0x7F800000, 0xFF800000,  # infinities
    0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FA00000, 0x7FBFFFFF,  # NaNs
]
randoms = [rng.getrandbits(32) for _ in range(200)]
ties = [(rng.getrandbits(16) << 16) | 0x8000 for _ in range(40)]
rne_inputs = special + ties + randoms


def torch_bf16_scalar(u):
    """torch 1.13's conversion of one float32 (0-dim tensor: c10's scalar round_to_nearest_even)."""
    x = torch.from_numpy(np.array([u], dtype=np.uint32).view(np.float32).copy())[0]
    return int(x.to(torch.bfloat16).view(torch.int16).item()) & 0xFFFF


rne_expected = [torch_bf16_scalar(u) for u in rne_inputs]
assert rne_expected == [float_to_bf16_rne(u) for u in rne_inputs]
vector = torch.from_numpy(np.array(rne_inputs, dtype=np.uint32).view(np.float32).copy())
vector_bits = [int(b) & 0xFFFF for b in vector.to(torch.bfloat16).view(torch.int16).tolist()]
for u, a, b in zip(rne_inputs, rne_expected, vector_bits):
    nan = (u & 0x7F800000) == 0x7F800000 and u & 0x7FFFFF
    assert a == b or (nan and a == 0x7FC0 and b == 0xFFFF), (hex(u), hex(a), hex(b))

# ---------------------------------------------------------------------------------------------
# Stochastic rounding: the generator, and the rounding rule
mix_inputs = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x9E3779B9, 12345] + [rng.getrandbits(32) for _ in range(8)]
streams = []
for seed, stream, step, which in [(0, 0, 1, 0), (0, 0, 1, 1), (0, 0, 2, 0), (0, 1, 1, 0), (1, 0, 1, 0),
                                  (42, 3, 7, 2), (0xFFFFFFFF, 5, 100, 1), (123456789, 2, 65536, 0)]:
    k = key(seed, stream, step, which)
    indices = list(range(8)) + [255, 256, 1000, 4099, 123456, 0xFFFFFFFF]
    r = [random16(k, i) for i in indices]
    assert r[:8] == [int(v) for v in random16_array(k, 8)]
    streams.append({"seed": seed, "stream": stream, "step": step, "which": which, "key": k,
                    "indices": indices, "r": r})

sr_inputs, sr_r = [], []
for u in special + ties + randoms[:60]:
    frac = u & 0xFFFF
    for r in sorted({0, 0xFFFF, frac, max(frac - 1, 0), min(frac + 1, 0xFFFF), rng.getrandbits(16)}):
        sr_inputs.append(u)
        sr_r.append(r)
sr_expected = [float_to_bf16_sr(u, r) for u, r in zip(sr_inputs, sr_r)]


def torchao_sr(bits, r):
    """torchao's _fp32_to_bf16_sr in torch integer ops, as a check of float_to_bf16_sr (NaN aside:
    torchao's .bfloat16() of the result decides there; the spec fixes 0x7FC0)."""
    u = torch.tensor(bits, dtype=torch.int64)
    t = torch.where(torch.tensor(r, dtype=torch.int64) < (u & 0xFFFF), (u & 0xFFFF0000) + 0x10000, u & 0xFFFF0000)
    return [int(v) >> 16 for v in t.tolist()]


for u, e, t in zip(sr_inputs, sr_expected, torchao_sr(sr_inputs, sr_r)):
    nan = (u & 0x7F800000) == 0x7F800000 and u & 0x7FFFFF
    assert nan or e == t, (hex(u), e, t)

# ---------------------------------------------------------------------------------------------
# quantize_2D
quantize = {}
for signed, name in ((True, "signed"), (False, "unsigned")):
    code = MAPS[signed]
    xs = [*code]
    for a, b in zip(code, code[1:]):
        mid = np.float32(np.float32(a + b) * np.float32(0.5))
        xs += [mid, np.nextafter(mid, np.float32(-np.inf)), np.nextafter(mid, np.float32(np.inf))]
    xs += [np.float32(v) for v in (-1, 1, 0, -0.0, 1e-30, -1e-30, 1e-45, -1e-45, 1e-8, -1e-8, 0.5, -0.5,
                                    0.9999999, -0.9999999, 2.0, -2.0)]
    xs += [np.float32(rng.uniform(-1, 1)) for _ in range(100)]
    xs += [np.float32(rng.uniform(0, 1) ** 6 * rng.choice((-1, 1))) for _ in range(100)]
    bits = f32_bits(xs)
    codes = [quantize_2d(code, x, signed) for x in np.array(bits, dtype=np.uint32).view(np.float32)]
    entry = {"xBits": bits, "codes": codes}
    if signed:
        entry["signFixed"] = [sign_fix(code, c, x) for c, x in zip(codes, np.array(bits, dtype=np.uint32).view(np.float32))]
    quantize[name] = entry
    # Sanity: the binary search lands on the nearest code for values inside the map (up to the
    # rounding of the float32 midpoint, which decides near-ties).
    for x, c in zip(np.array(bits, dtype=np.uint32).view(np.float32), codes):
        if code[0] <= x <= 1:
            d = np.abs(code.astype(np.float64) - float(x))
            assert d[c] <= d.min() + 1.2e-7 * abs(float(x)) + 1e-45, (name, float(x), c, int(d.argmin()))

# ---------------------------------------------------------------------------------------------
# Whole blocks
f = np.float32
g = np.random.default_rng(14)
tiny = f(1e-40)
blocks = [
    ("zeros", [f(0)] * BLOCK),
    ("negative zeros", [f(-0.0)] * 10 + [f(0)] * 10),
    ("subnormals", [f(v) for v in g.uniform(-1, 1, BLOCK) * 1e-39]),
    ("smallest subnormal", [f(1e-45), f(-1e-45), f(0)] * 5),
    ("equal", [f(0.37)] * BLOCK),
    ("equal negative", [f(-2.5)] * BLOCK),
    ("one huge", [f(3e38)] + [f(v) for v in g.uniform(-1, 1, BLOCK - 1) * 1e-3]),
    ("one huge negative", [f(v) for v in g.uniform(-1, 1, 100) * 1e-6] + [f(-1e30)] + [f(1e-6)] * 155),
    ("largest finite", [f(3.4028235e38), f(-3.4028235e38), f(1), f(-1)] * 4),
    ("negative", [f(v) for v in -np.abs(g.standard_normal(BLOCK))]),
    ("normal", [f(v) for v in g.standard_normal(BLOCK)]),
    ("two blocks and a short one", [f(v) for v in g.standard_normal(2 * BLOCK + 37) * np.linspace(1e-3, 10, 2 * BLOCK + 37)]),
    ("nan", [f(v) for v in g.standard_normal(10)] + [f(np.nan)] + [f(v) for v in g.standard_normal(BLOCK + 5)]),
    ("+inf", [f(v) for v in g.standard_normal(20)] + [f(np.inf)] + [f(v) for v in g.standard_normal(BLOCK)]),
    ("-inf", [f(-np.inf)] + [f(v) for v in g.standard_normal(30)]),
    ("nan and inf", [f(np.inf), f(np.nan), f(1)]),
    ("tiny and -0", [f(-0.0), tiny, -tiny, f(1), f(-1e-9), f(1e-9)]),
]
block_cases = []
for name, vals in blocks:
    for signed in (True, False):
        if not signed:  # unsigned moments are never negative: |x| (NaN stays, -0 stays -0 only in signed)
            vals = [np.abs(v) for v in vals]
        codes, absmax = encode_blocks(np.array(vals, dtype=np.float32), signed)
        decoded = decode_blocks(codes, absmax, signed)
        block_cases.append({"name": name, "signed": signed, "inputBits": f32_bits(vals),
                            "absmaxBits": f32_bits(absmax), "codes": [int(c) for c in codes],
                            "decodedBits": f32_bits(decoded)})

fixture = {
    "generator": "scripts/reference/optim_state_codecs.py",
    "torch": torch.__version__,
    "encoding": ("Floats that may be NaN, infinite or -0 are float32 bits as unsigned 32-bit integers "
                 "(keys ending in Bits); bfloat16 values are their 16 bits. maps are plain numbers."),
    "maps": {**maps, "zeroIndex": {"signed": ZERO[True], "unsigned": ZERO[False]}},
    "bfloat16": {
        "nearestEven": {"inputBits": rne_inputs, "expectedBits": rne_expected},
        "mix": {"inputs": mix_inputs, "outputs": [mix(x) for x in mix_inputs]},
        "random": streams,
        "stochastic": {"inputBits": sr_inputs, "r": sr_r, "expectedBits": sr_expected},
    },
    "quantize2D": quantize,
    "blocks": block_cases,
}
path = os.path.join(ROOT, PATH)
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as out:
    json.dump(fixture, out, separators=(",", ":"))
    out.write("\n")
print(f"wrote {PATH}: {len(rne_inputs)} nearest-even, {len(sr_inputs)} stochastic, "
      f"{sum(len(q['codes']) for q in quantize.values())} quantize, {len(block_cases)} blocks", file=sys.stderr)
