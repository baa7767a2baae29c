"""Reference trajectories for Lookahead (src/optim/lookahead.ts).

PyTorch has no Lookahead. The reference evaluates the paper's Algorithm 1 (Zhang, Lucas, Hinton
and Ba 2019, "Lookahead Optimizer: k steps forward, 1 step back") here, independently, with
torch's own SGD and Adam (Debian's 1.13, foreach off) as the inner optimizer A:

    phi_0 = theta_0
    every step:          theta <- theta + A(grad)          (A's step, its state kept throughout)
    every k-th step:     phi <- phi + alpha (theta - phi);  theta <- phi

The cases run through common.run_case (fixed gradients, the parameters recorded after every
step), with the Lookahead built by `factory`; "lookahead" holds k and alpha, "optimizer" names A.
"""

import torch

from common import run_case, torch_kwargs, write_fixture


class PaperLookahead:
    """Algorithm 1: slow weights phi from the start, synchronized after every k inner steps."""

    def __init__(self, inner, k, alpha):
        self.inner, self.k, self.alpha = inner, k, alpha
        self.params = [p for group in inner.param_groups for p in group["params"]]
        self.slow = [p.detach().clone() for p in self.params]
        self.steps = 0

    def step(self):
        self.inner.step()
        self.steps += 1
        if self.steps % self.k == 0:
            with torch.no_grad():
                for p, phi in zip(self.params, self.slow):
                    phi.add_(self.alpha * (p - phi))
                    p.copy_(phi)


def lookahead_case(name, inner, groups, k, alpha, defaults=None, **kwargs):
    def factory(torch_groups):
        optimizer = getattr(torch.optim, inner)(torch_groups, foreach=False, **torch_kwargs(defaults or {}))
        return PaperLookahead(optimizer, k, alpha)

    out = []
    for dtype in ("float64", "float32"):
        case = run_case(f"{name} {dtype}", inner, groups, dtype, factory=factory, **kwargs)
        case["lookahead"] = {"k": k, "alpha": alpha}
        if defaults:
            case["defaults"] = defaults
        out.append(case)
    return out


sgd = [{"sizes": [5, 3], "options": {"lr": 0.1, "momentum": 0.9}}]
two_groups = [
    {"sizes": [4], "options": {"lr": 0.05, "momentum": 0.9, "nesterov": True}},
    {"sizes": [6, 2], "options": {"lr": 0.02, "weightDecay": 0.1}},
]
adam = [{"sizes": [5, 3], "options": {"lr": 0.05}}]

cases = []
cases += lookahead_case("SGD momentum, k 5, alpha 0.5", "SGD", sgd, 5, 0.5, steps=13)
cases += lookahead_case("SGD, two groups, k 3, alpha 0.8", "SGD", two_groups, 3, 0.8, steps=10, grads="flip")
cases += lookahead_case("Adam, k 5, alpha 0.5", "Adam", adam, 5, 0.5, steps=17)
cases += lookahead_case("Adam amsgrad, weight decay, k 1, alpha 0.3", "Adam",
                        [{"sizes": [4, 2], "options": {"lr": 0.02, "amsgrad": True, "weightDecay": 0.1}}], 1, 0.3,
                        steps=6, grads="scaled")
cases += lookahead_case("AdamW, k 4, alpha 0.5", "AdamW", [{"sizes": [6], "options": {"lr": 0.01}}], 4, 0.5,
                        steps=12, grads="sparse")
# alpha 1: the slow weights follow the fast ones, and Lookahead is the inner optimizer alone;
# alpha 0: every k steps the parameters return to where they started.
cases += lookahead_case("Adam, alpha 1", "Adam", adam, 3, 1.0, steps=7)
plain = run_case("Adam alone", "Adam", adam, "float64", steps=7)
assert [s["params"] for s in plain["steps"]] == [s["params"] for s in cases[-2]["steps"]]
cases += lookahead_case("SGD momentum, alpha 0", "SGD", sgd, 2, 0.0, steps=7)

write_fixture("packages/descent/test/optim/fixtures/lookahead.json", cases, "scripts/reference/optim_lookahead.py")
