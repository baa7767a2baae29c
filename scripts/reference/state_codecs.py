"""The codecs of low-precision optimizer state (issue 14, /work/notes/spec14.md), restated in Python.

Shared by optim_state_codecs.py (which writes the codec fixture) and optim_state_dtype.py (which
steps optimizers with state stored through these codecs). Sources, each restated here in our own
code, not copied:

- bfloat16 round to nearest even: c10/util/BFloat16.h round_to_nearest_even (torch's scalar
  conversion; `float_to_bf16_rne` below is checked against torch by the codec generator).
- bfloat16 stochastic rounding: torchao's rule (torchao/optim/quant_utils.py
  _fp32_to_bf16_sr: add 1 to the upper half when a 16-bit random number is below the lower half),
  with spec14.md's counter-based generator (lowbias32 `mix`, `key`, `r_i`) instead of torch.randint.
- The dynamic maps: bitsandbytes/functional.py create_dynamic_map (built with torch, as there).
- Block-wise 8-bit encoding: bitsandbytes csrc/kernels.cu, the encode part of
  kOptimizerStatic8bit2StateBlockwise / kOptimizerStatic8bit1StateBlockwise (absmax per block of
  256, x = m / absmax, quantize_2D, the sign fix), with spec14.md's rule for absmax 0 / non-finite.
"""

import math

import numpy as np
import torch

BLOCK = 256
F32 = np.float32
MASK32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# float32 bits


def f32_bits(values):
    """float32 values (anything numpy.float32 accepts) -> their bits as Python ints (uint32)."""
    return [int(b) for b in np.asarray(values, dtype=np.float32).reshape(-1).view(np.uint32)]


def bits_f32(bits):
    """uint32 bits -> numpy float32 array."""
    return np.asarray(bits, dtype=np.uint32).view(np.float32)


# ---------------------------------------------------------------------------------------------
# bfloat16


def float_to_bf16_rne(u):
    """c10/util/BFloat16.h round_to_nearest_even on float32 bits u: NaN -> 0x7FC0, else
    (u + 0x7FFF + ((u >> 16) & 1)) >> 16 (the sum cannot exceed 2^32: NaNs are handled first)."""
    if (u & 0x7F800000) == 0x7F800000 and (u & 0x007FFFFF) != 0:
        return 0x7FC0
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF


def float_to_bf16_sr(u, r):
    """torchao _fp32_to_bf16_sr's rule on float32 bits u with 16-bit random r (spec14.md):
    NaN -> 0x7FC0, else (u >> 16) + (r < (u & 0xFFFF)); sign-magnitude, so +1 rounds away from 0."""
    if (u & 0x7F800000) == 0x7F800000 and (u & 0x007FFFFF) != 0:
        return 0x7FC0
    return (u >> 16) + (1 if r < (u & 0xFFFF) else 0)


def bf16_to_f32(h):
    """bfloat16 bits -> float32 (exact): h << 16."""
    return bits_f32([h << 16])[0]


def mix(x):
    """lowbias32 (spec14.md), mod 2^32."""
    x &= MASK32
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK32
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK32
    x ^= x >> 16
    return x


def key(seed, stream, step, which):
    """spec14.md: mix(mix(mix(mix(seed) ^ stream) ^ step) ^ which)."""
    return mix(mix(mix(mix(seed) ^ stream) ^ step) ^ which)


def random16(k, i):
    """spec14.md: r_i = mix((i * 0x9E3779B9 mod 2^32) ^ key) >> 16."""
    return mix(((i * 0x9E3779B9) & MASK32) ^ k) >> 16


def random16_array(k, n):
    """r_0 .. r_{n-1} for key k, vectorized with numpy uint32 (wrapping) arithmetic."""
    x = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B9) & np.uint64(MASK32)).astype(np.uint32)
    x ^= np.uint32(k)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x >> np.uint32(16)


def bf16_bits_array(u, r=None):
    """float32 bits (numpy uint64 array) -> bfloat16 bits: nearest even, or stochastic with the
    16-bit randoms r; the rules of float_to_bf16_rne / float_to_bf16_sr, vectorized."""
    nan = ((u & 0x7F800000) == 0x7F800000) & ((u & 0x007FFFFF) != 0)
    if r is not None:
        h = (u >> 16) + (r.astype(np.uint64) < (u & 0xFFFF)).astype(np.uint64)
    else:
        h = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return np.where(nan, np.uint64(0x7FC0), h & 0xFFFF)


def bf16_round(t, stochastic=False, k=0):
    """A float32 tensor stored in bfloat16 and read back (decode(encode(t))), as float32 tensor.
    Nearest even through the scalar rule above (torch's CPU vectorized .to(torch.bfloat16) of 1.13
    gives 0xFFFF for NaN where c10's scalar gives 0x7FC0; the value is NaN either way); the
    finite values are checked against torch by optim_state_codecs.py."""
    u = t.detach().reshape(-1).numpy().astype(np.float32).view(np.uint32).astype(np.uint64)
    h = bf16_bits_array(u, random16_array(k, u.size) if stochastic else None)
    out = (h << 16).astype(np.uint32).view(np.float32)
    return torch.from_numpy(out.copy()).reshape(t.shape)


# ---------------------------------------------------------------------------------------------
# int8: bitsandbytes' dynamic maps and block-wise quantization


def create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
    """bitsandbytes/functional.py create_dynamic_map, restated: for each exponent i, the midpoints
    of float32 torch.linspace(0.1, 1, n) scaled by 10^(i - max_exponent_bits + 1) (and negated for
    signed), then 0 and 1, sorted; 256 float32 values."""
    data = []
    non_sign_bits = total_bits - 1
    additional_items = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        n = int(2 ** (i + non_sign_bits - max_exponent_bits) + 1 if signed
                else 2 ** (i + non_sign_bits - max_exponent_bits + 1) + 1)
        boundaries = torch.linspace(0.1, 1, n, dtype=torch.float32)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    assert additional_items == 0  # (bitsandbytes adds more items only for other bit widths)
    data.append(0)
    data.append(1.0)
    assert len(data) == 2**total_bits
    data.sort()
    return torch.tensor(data, dtype=torch.float32)


MAPS = {True: create_dynamic_map(signed=True).numpy(), False: create_dynamic_map(signed=False).numpy()}
ZERO = {s: int(np.flatnonzero(MAPS[s] == 0)[0]) for s in MAPS}  # index of 0.0: 127 signed, 0 unsigned


def quantize_2d(code, x, signed):
    """bitsandbytes csrc/kernels.cu quantize_2D<SIGNED>, restated in float32: a 7-step binary search
    from pivot 127 (steps 64, 32, ..., 1) keeping the last codes below (lower) and above (upper),
    which start at -1 (signed) or 0 and 1; then the nearer of the neighbours by the float32 midpoint
    (neighbour + val) * 0.5f, ties to the middle code `pivot`. (The kernel reads its first values
    from `quadrants`, copies of code[127], code[63] and code[191]: the same values.)"""
    x = F32(x)
    pivot, upper_pivot, lower_pivot = 127, 255, 0
    lower = F32(-1.0 if signed else 0.0)
    upper = F32(1.0)
    val = code[pivot]
    i = 64
    while i > 0:
        if x > val:
            lower_pivot, lower = pivot, val
            pivot += i
        else:
            upper_pivot, upper = pivot, val
            pivot -= i
        val = code[pivot]
        i >>= 1
    if x > val:
        midpoint = F32(F32(upper + val) * F32(0.5))
        return upper_pivot if x > midpoint else pivot
    midpoint = F32(F32(lower + val) * F32(0.5))
    return lower_pivot if x < midpoint else pivot


def sign_fix(code, c, m):
    """kOptimizerStatic8bit2StateBlockwise's fix for state1 (signed map): when the code's value and
    the moment m differ in sign bit, step one code towards m's side."""
    if math.copysign(1.0, float(code[c])) != math.copysign(1.0, float(m)):
        c += 1 if m > 0 else -1
    return c


def encode_blocks(m, signed):
    """float32 moment values (numpy) -> (codes uint8, absmax float32 per block of 256), spec14.md:
    absmax = max |m| over the block, NaN if any is NaN; absmax 0 or non-finite -> every code the
    index of 0.0; else code = quantize_2D(map, m / absmax) (float32 division), sign-fixed if signed."""
    m = np.asarray(m, dtype=np.float32).reshape(-1)
    code = MAPS[signed]
    codes = np.empty(m.size, dtype=np.uint8)
    absmax = np.empty((m.size + BLOCK - 1) // BLOCK, dtype=np.float32)
    for b in range(absmax.size):
        block = m[b * BLOCK:(b + 1) * BLOCK]
        a = F32(np.nan) if np.isnan(block).any() else np.abs(block).max()
        absmax[b] = a
        out = codes[b * BLOCK:b * BLOCK + block.size]
        if a == 0 or not np.isfinite(a):
            out[:] = ZERO[signed]
            continue
        for j, v in enumerate(block):
            c = quantize_2d(code, F32(v / a), signed)
            out[j] = sign_fix(code, c, v) if signed else c
    return codes, absmax


def decode_blocks(codes, absmax, signed):
    """value = map[code] * absmax[block] (float32 multiply)."""
    codes = np.asarray(codes, dtype=np.int64)
    scale = np.repeat(np.asarray(absmax, dtype=np.float32), BLOCK)[:codes.size]
    with np.errstate(invalid="ignore"):
        return (MAPS[signed][codes] * scale).astype(np.float32)
