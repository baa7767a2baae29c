"""Reference trajectories for Adam (betas, eps, amsgrad, weight decay coupled and decoupled, maximize).

torch.optim.Adam of Debian's 1.13 gives every case it can run. It has no decoupled_weight_decay
(PyTorch 2.x's; AdamW is Adam with it on), so cases that set it use adam_update below, an
independent evaluation of 2.x's Adam with torch tensor ops, checked by crosscheck against 1.13's
Adam and AdamW on cases they share.
"""

import math

import torch

from adam_family import crosscheck, decayed_grad, factory, moments, recorded, update_moments
from common import write_fixture


def adam_update(p, grad, state, group):
    """PyTorch 2.x Adam on one parameter (single-tensor path)."""
    beta1, beta2 = group["betas"]
    t = moments(p, state)
    g = decayed_grad(p, grad, group)
    update_moments(g, state, beta1, beta2)
    v = state["exp_avg_sq"]
    if group["amsgrad"]:
        peak = state.setdefault("max_exp_avg_sq", torch.zeros_like(p))
        torch.maximum(peak, v, out=peak)
        v = peak
    denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(group["eps"])
    p.addcdiv_(state["exp_avg"], denom, value=-group["lr"] / (1 - beta1**t))


DEFAULTS = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
                decoupled_weight_decay=False)
ADAM_2X = factory(adam_update, **DEFAULTS)

one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]
groups = [
    {"sizes": [4], "options": {"lr": 0.1, "amsgrad": True}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "betas": [0.8, 0.99], "weightDecay": 0.2, "maximize": True}},
]
mixed = [
    {"sizes": [4], "options": {"lr": 0.1, "weightDecay": 0.1}},
    {"sizes": [6, 2], "options": {"lr": 0.02, "weightDecay": 0.3, "decoupledWeightDecay": True, "amsgrad": True}},
]

# The evaluation agrees with 1.13 wherever 1.13 can run the case: coupled decay against Adam,
# decoupled against AdamW (2.x's AdamW is this very code path).
crosscheck("Adam", one(amsgrad=True, weightDecay=0.1, maximize=True), adam_update, DEFAULTS, grads="flip")
crosscheck("Adam", groups, adam_update, DEFAULTS)
crosscheck("Adam", one(weightDecay=0.1, decoupledWeightDecay=True), adam_update, DEFAULTS, torch_optimizer="AdamW")
crosscheck("Adam", one(weightDecay=0.3, decoupledWeightDecay=True, amsgrad=True, maximize=True), adam_update,
           DEFAULTS, torch_optimizer="AdamW", grads="scaled")


case = lambda name, groups, **kwargs: recorded(name, "Adam", groups, **kwargs)


cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("betas eps", one(betas=[0.5, 0.8], eps=1e-3))
cases += case("amsgrad off", one(amsgrad=False, betas=[0.9, 0.9]))
cases += case("amsgrad", one(amsgrad=True, betas=[0.9, 0.9]))
cases += case("weight decay", one(weightDecay=0.1, decoupledWeightDecay=False))
cases += case("maximize", one(maximize=True))
cases += case("amsgrad maximize decay", one(amsgrad=True, maximize=True, weightDecay=0.05), grads="flip")
cases += case("sparse", one(amsgrad=True, weightDecay=0.01), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(amsgrad=True), grads="scaled")
cases += case("groups", groups)
# PyTorch 2.x's decoupled_weight_decay, evaluated by adam_update.
cases += case("decoupled weight decay", one(weightDecay=0.1, decoupledWeightDecay=True), factory=ADAM_2X)
cases += case("decoupled amsgrad maximize",
              one(weightDecay=0.3, decoupledWeightDecay=True, amsgrad=True, maximize=True), grads="flip",
              factory=ADAM_2X)
cases += case("decoupled scaled", one(weightDecay=0.5, decoupledWeightDecay=True), grads="scaled",
              factory=ADAM_2X)
cases += case("decoupled sparse", one(weightDecay=0.2, decoupledWeightDecay=True), grads="sparse",
              factory=ADAM_2X)
cases += case("groups coupled and decoupled", mixed, factory=ADAM_2X)

write_fixture("packages/descent/test/optim/fixtures/adam.json", cases, "scripts/reference/optim_adam.py")
