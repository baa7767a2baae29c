"""Reference trajectories for Adafactor (matrices, a 3-D tensor and vectors; beta2_decay, both
epsilons, the clipping threshold d, weight decay, maximize).

Debian's torch 1.13 has no Adafactor (PyTorch added torch.optim.Adafactor in 2.5). Every case
comes from adafactor_update below, an independent evaluation with torch tensor ops in the
parameter's dtype of PyTorch 2.5's single-tensor algorithm (torch/optim/_adafactor.py,
_single_tensor_adafactor): row and column means of the squared gradient over the last two
dimensions of a parameter of two or more, the whole second moment of a vector; eps1 None is the
machine epsilon of the parameter's dtype.
"""

import torch

from adam_family import factory
from common import both_dtypes, write_fixture


def adafactor_update(p, grad, state, group):
    """PyTorch 2.5's Adafactor step on one parameter."""
    lr, d, wd, tau = group["lr"], group["d"], group["weight_decay"], group["beta2_decay"]
    eps1, eps2 = group["eps"]
    if eps1 is None:
        eps1 = torch.finfo(p.dtype).eps
    g = -grad if group["maximize"] else grad
    if not state:
        state["step"] = 0
        if g.dim() > 1:
            state["row_var"] = g.new_zeros(g.shape[:-1] + (1,))
            state["col_var"] = g.new_zeros(g.shape[:-2] + (1, g.shape[-1]))
        else:
            state["variance"] = torch.zeros_like(g)
    state["step"] += 1
    t = float(state["step"])
    weight = t**tau
    rho = min(lr, 1 / t**0.5)
    alpha = max(eps2, p.norm(2).item() / p.numel() ** 0.5) * rho
    if wd != 0:
        p.mul_(1 - lr * wd)
    if g.dim() > 1:
        row, col = state["row_var"], state["col_var"]
        row.lerp_((g * g).mean(dim=-1, keepdim=True), weight)
        col.lerp_((g * g).mean(dim=-2, keepdim=True), weight)
        v = (row @ col) / row.mean(dim=-2, keepdim=True).clamp(min=eps1)
    else:
        state["variance"].lerp_(g * g, weight)
        v = state["variance"].clone()
    u = v.clamp(min=eps1 * eps1).rsqrt() * g
    denom = max(1.0, u.norm(2).item() / (u.numel() ** 0.5 * d))
    p.add_(u, alpha=-alpha / denom)


ADAFACTOR = factory(adafactor_update, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                    weight_decay=0.0, maximize=False)

# A matrix, a vector and a batch of two 3 x 2 matrices.
sizes = [[4, 3], 5, [2, 3, 2]]
one = lambda **o: [{"sizes": sizes, "options": {"lr": 0.05, **o}}]
groups = [
    {"sizes": [[3, 5]], "options": {"lr": 0.02, "beta2Decay": -0.5}},
    {"sizes": [6, [2, 2]], "options": {"lr": 0.01, "weightDecay": 0.2, "maximize": True}},
    {"sizes": [[1, 4], [4, 1], 3], "options": {"weightDecay": 0.1, "eps": [1e-30, 1e-2], "d": 2.0}},
]


def case(name, groups, **kwargs):
    # The parameters only: a vector's state and a matrix's have different keys.
    return both_dtypes(name, "Adafactor", groups, factory=ADAFACTOR, **kwargs)


cases = []
cases += case("defaults", [{"sizes": sizes}])
cases += case("plain", one())
cases += case("vectors only", [{"sizes": [5, 3], "options": {"lr": 0.05}}])
cases += case("large lr: rho is 1/sqrt(t) from step 5", one(lr=0.5), steps=16)
cases += case("beta2 decay", one(beta2Decay=-0.3))
cases += case("beta2 decay 0", one(beta2Decay=0))
cases += case("eps1 given", one(eps=[1e-3, 1e-3]))
cases += case("eps2 large", one(eps=[None, 5.0]))
cases += case("clipping threshold", one(d=1.5))
cases += case("no clipping", one(d=100.0))
cases += case("weight decay", one(weightDecay=0.5))
cases += case("maximize", one(maximize=True))
cases += case("maximize weight decay", one(maximize=True, weightDecay=1.0), grads="flip")
cases += case("sparse", one(), grads="sparse")
cases += case("scaled", one(), grads="scaled")
cases += case("groups", groups)

write_fixture("packages/descent/test/optim/fixtures/adafactor.json", cases,
              "scripts/reference/optim_adafactor.py")
