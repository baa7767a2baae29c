"""Reference trajectories for NAdam (betas, eps, momentum decay, weight decay coupled and
decoupled, maximize).

Every case comes from nadam_update below, an independent evaluation of PyTorch 2.x's NAdam with
torch tensor ops, not from Debian's torch 1.13: 1.13 lacks maximize and decoupled_weight_decay,
and weighs the first moment by 1 - mu_product * mu_t * mu_{t+1}, counting mu_t twice, where 2.x
has 1 - mu_product * mu_{t+1} (fixed in pytorch/pytorch#92699). crosscheck shows that the
evaluation, given 1.13's weight, reproduces torch.optim.NAdam of 1.13, so it differs from 1.13
by that fix alone.

mu_product is computed in double here, as in PyTorch when the default dtype is float64 (otherwise
PyTorch keeps it in a float32 tensor); descent keeps it as a double.
"""

from functools import partial

import torch

from adam_family import crosscheck, decayed_grad, factory, moments, recorded, update_moments
from common import write_fixture


def nadam_update(p, grad, state, group, torch113=False):
    """PyTorch 2.x NAdam on one parameter (single-tensor path); 1.13's with torch113."""
    beta1, beta2 = group["betas"]
    t = moments(p, state)
    psi = group["momentum_decay"]
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    mu_product = float(state.get("mu_product", 1.0)) * mu
    # A float64 tensor, as 2.x's with default dtype float64, so run_case records it exactly.
    state["mu_product"] = torch.tensor(mu_product, dtype=torch.float64)
    mu_product_next = mu_product * mu * mu_next if torch113 else mu_product * mu_next
    g = decayed_grad(p, grad, group)
    update_moments(g, state, beta1, beta2)
    denom = state["exp_avg_sq"].div(1 - beta2**t).sqrt().add_(group["eps"])
    p.addcdiv_(g, denom, value=-group["lr"] * (1 - mu) / (1 - mu_product))
    p.addcdiv_(state["exp_avg"], denom, value=-group["lr"] * mu_next / (1 - mu_product_next))


DEFAULTS = dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                decoupled_weight_decay=False, maximize=False)
NADAM_2X = factory(nadam_update, **DEFAULTS)

one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]
groups = [
    {"sizes": [4], "options": {"lr": 0.1, "momentumDecay": 0.05, "betas": [0.8, 0.99]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "decoupledWeightDecay": True, "maximize": True}},
    {"sizes": [3], "options": {"weightDecay": 0.1, "eps": 1e-4}},
]

for options in ({}, {"momentumDecay": 0.1, "weightDecay": 0.1}, {"betas": [0.5, 0.8], "eps": 1e-3}):
    crosscheck("NAdam", one(**options), partial(nadam_update, torch113=True), DEFAULTS)
crosscheck("NAdam", one(momentumDecay=0.02), partial(nadam_update, torch113=True), DEFAULTS, grads="scaled")

case = lambda name, groups, **kwargs: recorded(name, "NAdam", groups, extra_state=["muProduct"], factory=NADAM_2X,
                                               **kwargs)

cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("no momentum decay", one(momentumDecay=0))
cases += case("strong momentum decay", one(momentumDecay=0.2), steps=20)
cases += case("betas eps", one(betas=[0.5, 0.8], eps=1e-3))
cases += case("weight decay", one(weightDecay=0.1, decoupledWeightDecay=False))
cases += case("decoupled weight decay", one(weightDecay=0.1, decoupledWeightDecay=True))
cases += case("maximize", one(maximize=True))
cases += case("maximize decoupled", one(maximize=True, weightDecay=0.3, decoupledWeightDecay=True), grads="flip")
cases += case("sparse", one(weightDecay=0.01), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(momentumDecay=0.02), grads="scaled")
cases += case("groups", groups)

write_fixture("packages/descent/test/optim/fixtures/nadam.json", cases, "scripts/reference/optim_nadam.py")
