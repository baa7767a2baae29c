"""Reference trajectories for LAMB (betas, eps, eps_root, weight decay, maximize).

PyTorch (1.13 or 2.x) has no LAMB. Every case comes from lamb_update below, an independent
evaluation with torch tensor ops in the parameter's dtype of Optax's optax.lamb
(optax/_src/alias.py): the chain

    scale_by_adam(b1, b2, eps, eps_root)   mu = b1 mu + (1 - b1) g; nu = b2 nu + (1 - b2) g^2;
                                           u = (mu / (1 - b1^t)) / (sqrt(nu / (1 - b2^t) + eps_root) + eps)
    add_decayed_weights(weight_decay)      u = u + weight_decay theta
    scale_by_trust_ratio()                 u = u ||theta|| / ||u||, or u where either norm is 0
    scale_by_learning_rate(lr)             theta = theta - lr u

(optax/_src/transform.py), norms over each parameter tensor. maximize, which Optax lacks,
negates the gradient first, as PyTorch's optimizers do.
"""

import torch

from adam_family import factory
from common import both_dtypes, write_fixture


def lamb_update(p, grad, state, group):
    """optax.lamb's chain on one parameter."""
    beta1, beta2 = group["betas"]
    if not state:
        state["step"] = 0
        state["exp_avg"] = torch.zeros_like(p)
        state["exp_avg_sq"] = torch.zeros_like(p)
    state["step"] += 1
    t = state["step"]
    g = -grad if group["maximize"] else grad
    mu, nu = state["exp_avg"], state["exp_avg_sq"]
    # Optax's update_moment and update_moment_per_elem_norm: (1 - decay) g + decay moment.
    mu.copy_((1 - beta1) * g + beta1 * mu)
    nu.copy_((1 - beta2) * g * g + beta2 * nu)
    mu_hat = mu / (1 - beta1**t)
    nu_hat = nu / (1 - beta2**t)
    u = mu_hat / (torch.sqrt(nu_hat + group["eps_root"]) + group["eps"])
    u = u + group["weight_decay"] * p
    param_norm = torch.linalg.norm(p)
    update_norm = torch.linalg.norm(u)
    zero = torch.logical_or(param_norm == 0, update_norm == 0)
    ratio = torch.where(zero, torch.ones_like(param_norm), param_norm / update_norm)
    p.sub_(group["lr"] * (u * ratio))


LAMB = factory(lamb_update, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, eps_root=0.0, weight_decay=0,
               maximize=False)

one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]
groups = [
    {"sizes": [4], "options": {"lr": 0.02, "betas": [0.8, 0.99]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "maximize": True}},
    {"sizes": [3], "options": {"weightDecay": 0.1, "eps": 1e-4, "epsRoot": 1e-6}},
]


def case(name, groups, **kwargs):
    return both_dtypes(name, "LAMB", groups, factory=LAMB, state=["step", "expAvg", "expAvgSq"], **kwargs)


cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("plain", one())
cases += case("betas eps", one(betas=[0.5, 0.8], eps=1e-3))
cases += case("eps root", one(epsRoot=1e-3))
cases += case("weight decay", one(weightDecay=0.1))
cases += case("strong weight decay", one(weightDecay=5.0, lr=0.01))
cases += case("maximize", one(maximize=True))
cases += case("maximize weight decay", one(maximize=True, weightDecay=0.3), grads="flip")
cases += case("sparse", one(weightDecay=0.01), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(), grads="scaled")
cases += case("groups", groups)

write_fixture("packages/descent/test/optim/fixtures/lamb.json", cases, "scripts/reference/optim_lamb.py")
