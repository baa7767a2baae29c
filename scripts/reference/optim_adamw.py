"""Reference trajectories for AdamW (weight decay, betas, eps, amsgrad, maximize).

Debian's torch 1.13 has every AdamW option, and PyTorch 2.x's AdamW (Adam with
decoupled_weight_decay on) computes the same update, so torch.optim.AdamW gives every case.
"""

from adam_family import recorded
from common import write_fixture

case = lambda name, groups, **kwargs: recorded(name, "AdamW", groups, **kwargs)
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]

cases = []
cases += case("defaults", [{"sizes": [5, 3]}])
cases += case("default weight decay", one())
cases += case("no weight decay", one(weightDecay=0))
cases += case("strong weight decay", one(weightDecay=0.5))
cases += case("betas eps", one(betas=[0.5, 0.8], eps=1e-3))
cases += case("amsgrad", one(amsgrad=True, betas=[0.9, 0.9]))
cases += case("maximize", one(maximize=True, weightDecay=0.1))
cases += case("amsgrad maximize", one(amsgrad=True, maximize=True, weightDecay=0.2), grads="flip")
cases += case("sparse", one(amsgrad=True), grads="sparse")
cases += case("sign flipping", one(betas=[0.8, 0.9]), grads="flip")
cases += case("scaled", one(weightDecay=0.3), grads="scaled")
cases += case("groups", [
    {"sizes": [4], "options": {"lr": 0.1, "amsgrad": True, "weightDecay": 0}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "betas": [0.8, 0.99], "weightDecay": 0.2, "maximize": True}},
])

write_fixture("packages/descent/test/optim/fixtures/adamw.json", cases, "scripts/reference/optim_adamw.py")
