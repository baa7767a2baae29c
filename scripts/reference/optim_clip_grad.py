"""Reference cases for clipGradNorm and clipGradValue (src/optim/clip-grad.ts).

Debian's torch 1.13 runs torch.nn.utils.clip_grad_norm_ and clip_grad_value_ themselves: its
clip_grad_norm_ already has 2.x's semantics (the coefficient max_norm / (total + 1e-6) clamped to
1 and multiplied in unconditionally, norm_type inf as the largest magnitude, error_if_nonfinite).
Each case records the gradients given (None for a parameter without one), the gradients after the
call and the total norm returned, or that torch raised. JSON has no NaN or infinities: such
numbers are written as the strings "NaN", "Infinity" and "-Infinity".
"""

import math

import torch

from common import DTYPES, write_fixture

GEN = torch.Generator().manual_seed(0)


def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def listed(tensor):
    return None if tensor is None else [number(x) for x in tensor.reshape(-1).tolist()]


def gradients(sizes, dtype, scale=1.0, spread=False):
    """Random gradients, one per size (None where the size is None); `spread` spans 1e-3 to 1e2."""
    out = []
    for n in sizes:
        if n is None:
            out.append(None)
            continue
        g = torch.randn(n, generator=GEN, dtype=torch.float64) * scale
        if spread:
            g = g * torch.logspace(-3, 2, n, dtype=torch.float64)
        out.append(g.to(DTYPES[dtype]))
    return out


def with_grads(grads):
    params = []
    for g in grads:
        n = 3 if g is None else g.numel()
        p = torch.zeros(n, dtype=torch.float64 if g is None else g.dtype, requires_grad=True)
        p.grad = None if g is None else g.clone()
        params.append(p)
    return params


def norm_case(name, dtype, grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = with_grads(grads)
    case = {"name": f"{name} {dtype}", "kind": "norm", "dtype": dtype, "grads": [listed(g) for g in grads],
            "maxNorm": number(max_norm), "normType": number(norm_type), "errorIfNonfinite": error_if_nonfinite}
    try:
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type, error_if_nonfinite)
    except RuntimeError:
        case["throws"] = True
        # Nothing may change before the error.
        assert all((p.grad is None and g is None) or torch.equal(p.grad, g) or
                   (torch.isnan(p.grad).any() and torch.equal(torch.isnan(p.grad), torch.isnan(g)))
                   for p, g in zip(params, grads))
        return case
    case["throws"] = False
    case["norm"] = number(total)
    case["clipped"] = [listed(p.grad) for p in params]
    return case


def value_case(name, dtype, grads, clip_value):
    params = with_grads(grads)
    torch.nn.utils.clip_grad_value_(params, clip_value)
    return {"name": f"{name} {dtype}", "kind": "value", "dtype": dtype, "grads": [listed(g) for g in grads],
            "clipValue": clip_value, "clipped": [listed(p.grad) for p in params]}


def poisoned(dtype, value):
    grads = gradients([4, 3], dtype)
    grads[1][1] = value
    return grads


cases = []
for dtype in ("float64", "float32"):
    sizes = [5, 3, 4]
    for norm_type in (2.0, 1.0, math.inf, 0.5, 3.0):
        cases.append(norm_case(f"clips, order {norm_type}", dtype, gradients(sizes, dtype, 2.0), 1.0, norm_type))
        cases.append(norm_case(f"under the norm, order {norm_type}", dtype, gradients(sizes, dtype), 100.0,
                               norm_type))
    cases.append(norm_case("a parameter without gradient is skipped", dtype, gradients([4, None, 6], dtype), 0.5))
    cases.append(norm_case("one tensor", dtype, gradients([7], dtype), 0.25))
    cases.append(norm_case("magnitudes from 1e-3 to 1e2", dtype, gradients([9, 5], dtype, spread=True), 2.0))
    cases.append(norm_case("magnitudes from 1e-3 to 1e2, order inf", dtype, gradients([9, 5], dtype, spread=True),
                           2.0, math.inf))
    cases.append(norm_case("no gradients", dtype, [None, None], 1.0))
    for label, bad in (("NaN", math.nan), ("infinity", math.inf), ("-infinity", -math.inf)):
        for norm_type in (2.0, math.inf):
            cases.append(norm_case(f"a {label}, order {norm_type}, errorIfNonfinite", dtype, poisoned(dtype, bad),
                                   1.0, norm_type, True))
            cases.append(norm_case(f"a {label}, order {norm_type}, scaled by it", dtype, poisoned(dtype, bad), 1.0,
                                   norm_type, False))
    # Clipping by an infinite maxNorm measures the norm and changes nothing.
    cases.append(norm_case("maxNorm Infinity", dtype, gradients(sizes, dtype, 5.0), math.inf))
    for clip_value in (0.5, 0.3, 0.0, 100.0):
        cases.append(value_case(f"clip value {clip_value}", dtype, gradients([5, None, 4], dtype), clip_value))
    cases.append(value_case("NaN stays, infinities clamp", dtype, poisoned(dtype, math.nan) + poisoned(dtype, math.inf)
                            + poisoned(dtype, -math.inf), 0.7))

# A float64 norm that overflows although every gradient is finite.
huge = [torch.tensor([1e200, -3e200], dtype=torch.float64), torch.tensor([2e200], dtype=torch.float64)]
cases.append(norm_case("an overflowing norm, errorIfNonfinite", "float64", huge, 1.0, 2.0, True))
cases.append(norm_case("an overflowing norm, scaled by it", "float64", huge, 1.0, 2.0, False))
# The largest magnitude of the same gradients does not overflow.
cases.append(norm_case("huge gradients, order inf, errorIfNonfinite", "float64", huge, 1.0, math.inf, True))

assert any(c.get("throws") for c in cases) and not all(c.get("throws", False) for c in cases)
write_fixture("packages/descent/test/optim/fixtures/clip-grad.json", cases, "scripts/reference/optim_clip_grad.py")
