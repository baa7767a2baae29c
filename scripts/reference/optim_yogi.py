"""Reference trajectories for Yogi (betas, eps, weight decay, maximize).

PyTorch has no Yogi: yogi_update below evaluates the update of Dive into Deep Learning, section
12.10, as the book writes it, with torch tensor ops in the parameter's dtype. The book counts
steps once for all parameters; here each parameter counts its own, which is the same whenever
every parameter has a gradient at every step, as in all these cases. maximize and weightDecay
(L2, added to the gradient as in Adam) are descent's additions.
"""

import torch

from adam_family import factory, moments, recorded
from common import write_fixture


def yogi_update(p, grad, state, group):
    """The book's yogi() on one parameter: v = exp_avg, s = exp_avg_sq."""
    beta1, beta2 = group["betas"]
    lr, eps = group["lr"], group["eps"]
    t = moments(p, state)
    g = -grad if group["maximize"] else grad
    if group["weight_decay"] != 0:
        g = g + group["weight_decay"] * p
    v, s = state["exp_avg"], state["exp_avg_sq"]
    v[:] = beta1 * v + (1 - beta1) * g
    s[:] = s + (1 - beta2) * torch.sign(torch.square(g) - s) * torch.square(g)
    v_bias_corr = v / (1 - beta1**t)
    s_bias_corr = s / (1 - beta2**t)
    p[:] -= lr * v_bias_corr / (torch.sqrt(s_bias_corr) + eps)


YOGI = factory(yogi_update, lr=0.01, betas=(0.9, 0.999), eps=1e-3, weight_decay=0, maximize=False)

case = lambda name, groups, **kwargs: recorded(name, "Yogi", groups, factory=YOGI, **kwargs)
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]

cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("long", one(betas=[0.9, 0.99]), steps=40)
cases += case("betas", one(betas=[0.5, 0.8]))
cases += case("small eps", one(eps=1e-8))
cases += case("weight decay", one(weightDecay=0.1))
cases += case("maximize", one(maximize=True))
cases += case("maximize weight decay", one(maximize=True, weightDecay=0.2), grads="flip")
cases += case("sparse", one(betas=[0.9, 0.9]), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(eps=1e-6), grads="scaled")
cases += case("groups", [
    {"sizes": [4], "options": {"lr": 0.1, "betas": [0.8, 0.9]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "maximize": True, "eps": 1e-2}},
])

write_fixture("packages/descent/test/optim/fixtures/yogi.json", cases, "scripts/reference/optim_yogi.py")
