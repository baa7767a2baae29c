"""Reference trajectories for RAdam (betas on both sides of the rho_t > 5 threshold, eps, weight
decay coupled and decoupled, maximize).

Every case runs 20 steps: with beta2 of 0.9 or more the rectified update starts at step 6, with
0.8 at step 7 and with 0.7 at step 10; with 0.6 (rho_inf = 4) it never does.

torch.optim.RAdam of Debian's 1.13 gives every case it can run. It has no maximize and no
decoupled_weight_decay (PyTorch 2.x's), so cases that set them use radam_update below, an
independent evaluation of 2.x's RAdam with torch tensor ops, checked by crosscheck against 1.13's
RAdam on cases they share.
"""

import math

from adam_family import crosscheck, decayed_grad, factory, moments, recorded, update_moments
from common import write_fixture


def radam_update(p, grad, state, group):
    """PyTorch 2.x RAdam on one parameter (single-tensor path)."""
    beta1, beta2 = group["betas"]
    t = moments(p, state)
    g = decayed_grad(p, grad, group)
    update_moments(g, state, beta1, beta2)
    bias_correction2 = 1 - beta2**t
    m_hat = state["exp_avg"] / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
    if rho_t > 5:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        adaptive_lr = math.sqrt(bias_correction2) / state["exp_avg_sq"].sqrt().add_(group["eps"])
        p.add_(m_hat * group["lr"] * adaptive_lr * rect, alpha=-1.0)
    else:
        p.add_(m_hat * group["lr"], alpha=-1.0)


DEFAULTS = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                maximize=False)
RADAM_2X = factory(radam_update, **DEFAULTS)
STEPS = 20

one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]
groups = [
    {"sizes": [4], "options": {"lr": 0.1, "betas": [0.9, 0.7]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "eps": 1e-3}},
]
mixed = [
    {"sizes": [4], "options": {"lr": 0.1, "betas": [0.8, 0.8], "maximize": True}},
    {"sizes": [6, 2], "options": {"lr": 0.02, "weightDecay": 0.3, "decoupledWeightDecay": True}},
    {"sizes": [3], "options": {"weightDecay": 0.1}},
]

for options in ({}, {"betas": [0.9, 0.7], "weightDecay": 0.1}, {"betas": [0.5, 0.6]}):
    crosscheck("RAdam", one(**options), radam_update, DEFAULTS, steps=STEPS)
crosscheck("RAdam", groups, radam_update, DEFAULTS, steps=STEPS, grads="scaled")

case = lambda name, groups, **kwargs: recorded(name, "RAdam", groups, steps=STEPS, **kwargs)

cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("beta2 0.99", one(betas=[0.9, 0.99]))
cases += case("beta2 0.8", one(betas=[0.8, 0.8]))
cases += case("beta2 0.7", one(betas=[0.9, 0.7], eps=1e-3))
cases += case("never rectified", one(betas=[0.5, 0.6]))
cases += case("weight decay", one(weightDecay=0.1, decoupledWeightDecay=False))
cases += case("sparse", one(betas=[0.9, 0.9]), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(weightDecay=0.01), grads="scaled")
cases += case("groups", groups)
# PyTorch 2.x's maximize and decoupled_weight_decay, evaluated by radam_update.
cases += case("decoupled weight decay", one(weightDecay=0.1, decoupledWeightDecay=True), factory=RADAM_2X)
cases += case("maximize", one(maximize=True, betas=[0.9, 0.9]), factory=RADAM_2X)
cases += case("maximize weight decay", one(maximize=True, weightDecay=0.1), grads="flip", factory=RADAM_2X)
cases += case("maximize decoupled", one(maximize=True, weightDecay=0.3, decoupledWeightDecay=True), grads="scaled",
              factory=RADAM_2X)
cases += case("decoupled sparse", one(weightDecay=0.2, decoupledWeightDecay=True, betas=[0.9, 0.8]), grads="sparse",
              factory=RADAM_2X)
cases += case("groups maximize and decoupled", mixed, factory=RADAM_2X)

write_fixture("packages/descent/test/optim/fixtures/radam.json", cases, "scripts/reference/optim_radam.py")
