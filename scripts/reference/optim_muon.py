"""Reference trajectories for Muon (wide, tall and square matrices; momentum, nesterov, the
Newton-Schulz coefficients, eps, ns_steps, adjust_lr_fn, weight decay).

Debian's torch 1.13 has no Muon (PyTorch added torch.optim.Muon in 2.9). Every case comes from
muon_update below, an independent evaluation with torch 1.13 tensor ops of PyTorch's
single-tensor algorithm: torch/optim/_muon.py (_single_tensor_muon, _zeropower_via_newtonschulz
without use_addmm, _adjust_lr) at pytorch/pytorch commit 098e03f91de9384cc3afdf5c8b9a6bbc442bd66a.
One change: PyTorch casts the update to bfloat16 before the iteration (for GPU speed); here the
iteration runs in the parameter's dtype, as descent's does.
"""

import math

import torch

from adam_family import factory
from common import both_dtypes, write_fixture


def newton_schulz(update, coefficients, steps, eps):
    """_zeropower_via_newtonschulz in the update's dtype."""
    a, b, c = coefficients
    x = update.clone()
    if update.size(0) > update.size(1):
        x = x.T
    x.div_(x.norm().clamp(min=eps))
    for _ in range(steps):
        gram = x @ x.T
        # Python's `c * gram @ gram` is (c * gram) @ gram.
        poly = b * gram + (c * gram) @ gram
        x = a * x + poly @ x
    if update.size(0) > update.size(1):
        x = x.T
    return x


def adjusted_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    return lr * 0.2 * math.sqrt(max(rows, cols))


def muon_update(p, grad, state, group):
    """PyTorch 2.9's Muon step on one matrix."""
    momentum = group["momentum"]
    if not state:
        state["momentum_buffer"] = torch.zeros_like(grad)
    buf = state["momentum_buffer"]
    buf.lerp_(grad, 1 - momentum)
    update = grad.lerp(buf, momentum) if group["nesterov"] else buf
    update = newton_schulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
    p.mul_(1 - group["lr"] * group["weight_decay"])
    p.add_(update, alpha=-adjusted_lr(group["lr"], group["adjust_lr_fn"], p.shape))


MUON = factory(muon_update, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
               ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None)

# Wide, tall and square.
sizes = [[3, 4], [4, 3], [5, 5]]
one = lambda **o: [{"sizes": sizes, "options": {"lr": 0.02, **o}}]
groups = [
    {"sizes": [[3, 4]], "options": {"lr": 0.01, "momentum": 0.9}},
    {"sizes": [[4, 3], [2, 6]], "options": {"lr": 0.05, "adjustLrFn": "match_rms_adamw",
                                            "weightDecay": 0.5}},
    {"sizes": [[5, 5]], "options": {"nesterov": False, "nsSteps": 3}},
]


def case(name, groups, **kwargs):
    return both_dtypes(name, "Muon", groups, factory=MUON, state=["momentumBuffer"], **kwargs)


cases = []
cases += case("defaults", [{"sizes": sizes}])
cases += case("plain", one())
cases += case("no nesterov", one(nesterov=False))
cases += case("momentum 0", one(momentum=0))
cases += case("momentum 0.5", one(momentum=0.5))
cases += case("adjust lr original", one(adjustLrFn="original"))
cases += case("adjust lr match_rms_adamw", one(adjustLrFn="match_rms_adamw"))
cases += case("no weight decay", one(weightDecay=0))
cases += case("weight decay", one(weightDecay=2.0))
cases += case("coefficients", one(nsCoefficients=[2.0, -1.5, 0.5]))
cases += case("ns steps 0: the normalized update", one(nsSteps=0))
cases += case("ns steps 10", one(nsSteps=10))
cases += case("large eps", one(eps=10.0))
cases += case("sparse", one(), grads="sparse")
cases += case("scaled", one(), grads="scaled")
cases += case("groups", groups)
# Larger than the WebAssembly product's tiles (4 rows by 8 float32 or 4 float64 columns), with
# remainders of both, so its blocked path is checked against the reference too.
cases += case("larger matrices", [{"sizes": [[13, 37], [37, 13], [17, 17]], "options": {"lr": 0.02}}],
              steps=3)

write_fixture("packages/descent/test/optim/fixtures/muon.json", cases, "scripts/reference/optim_muon.py")
