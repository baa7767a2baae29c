"""Reference trajectories for Lion (betas, decoupled weight decay, maximize).

PyTorch (1.13 or 2.x) has no Lion. Every case comes from lion_update below, an independent
evaluation with torch tensor ops in the parameter's dtype of the paper's algorithm: Chen et al.
2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2 (Lion), as written there:

    c_t = beta1 m_{t-1} + (1 - beta1) g_t
    theta_t = theta_{t-1} - lr (sign(c_t) + lambda theta_{t-1})
    m_t = beta2 m_{t-1} + (1 - beta2) g_t

(descent applies the decay as theta (1 - lr lambda) first, which is the same up to rounding.)
maximize, which the paper lacks, negates the gradient first, as PyTorch's optimizers do.
"""

import torch

from adam_family import factory
from common import both_dtypes, write_fixture


def lion_update(p, grad, state, group):
    """Algorithm 2 of the paper on one parameter."""
    beta1, beta2 = group["betas"]
    if not state:
        state["exp_avg"] = torch.zeros_like(p)
    m = state["exp_avg"]
    g = -grad if group["maximize"] else grad
    c = m * beta1 + g * (1 - beta1)
    p.sub_(group["lr"] * (torch.sign(c) + group["weight_decay"] * p))
    m.mul_(beta2).add_(g, alpha=1 - beta2)


LION = factory(lion_update, lr=1e-4, betas=(0.9, 0.99), weight_decay=0, maximize=False)

one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.01, **o}}]
groups = [
    {"sizes": [4], "options": {"lr": 0.02, "betas": [0.8, 0.9]}},
    {"sizes": [6, 2], "options": {"lr": 0.005, "weightDecay": 0.5, "maximize": True}},
    {"sizes": [3], "options": {"weightDecay": 0.1}},
]


def case(name, groups, **kwargs):
    return both_dtypes(name, "Lion", groups, factory=LION, state=["expAvg"], **kwargs)


cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("betas", one(betas=[0.5, 0.7]))
cases += case("beta1 0", one(betas=[0, 0.99]))
cases += case("weight decay", one(weightDecay=0.3))
cases += case("maximize", one(maximize=True))
cases += case("maximize weight decay", one(maximize=True, weightDecay=1.0), grads="flip")
cases += case("sparse", one(weightDecay=0.01), grads="sparse")
cases += case("sign flipping", one(betas=[0.95, 0.98]), grads="flip", steps=20)
cases += case("scaled", one(), grads="scaled")
cases += case("groups", groups)

write_fixture("packages/descent/test/optim/fixtures/lion.json", cases, "scripts/reference/optim_lion.py")
