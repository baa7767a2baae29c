"""Shared by the Adam-family generators (optim_adam.py, optim_nadam.py, optim_radam.py, optim_yogi.py).

Debian's torch 1.13 lacks some of PyTorch 2.x's options (Adam's decoupled_weight_decay; NAdam's
and RAdam's maximize and decoupled_weight_decay) and, for NAdam, has a bug that 2.x fixed. Those
generators evaluate the 2.x update independently, written here from PyTorch's documented
algorithm with torch tensor ops in the parameter's dtype, and pass it to run_case as `factory=`.
`crosscheck` then shows that each evaluation reproduces torch.optim of this torch wherever 1.13
can run the case, so the evaluations differ from 1.13 only where 2.x does.
"""

import math

import torch

from common import both_dtypes, run_case


class Reference(torch.optim.Optimizer):
    """An optimizer whose step calls `update(p, grad, state, group)` for each parameter with a
    gradient; groups carry PyTorch's snake_case options, filled from `defaults`."""

    def __init__(self, params, update, **defaults):
        super().__init__(params, defaults)
        self.update = update

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, p.grad, self.state[p], group)


def factory(update, **defaults):
    """A run_case factory: the update `update` with the given PyTorch defaults."""
    return lambda groups: Reference(groups, update, **defaults)


def moments(p, state):
    """First use of a parameter: step 0 and zero moments, as every 2.x Adam-family optimizer."""
    if not state:
        state["step"] = 0
        state["exp_avg"] = torch.zeros_like(p)
        state["exp_avg_sq"] = torch.zeros_like(p)
    state["step"] += 1
    return state["step"]


def decayed_grad(p, grad, group):
    """PyTorch 2.x's prologue: negate for maximize, then weight decay, either shrinking the
    parameter in place (decoupled, AdamW's) or added to the gradient (L2)."""
    g = -grad if group["maximize"] else grad
    wd = group["weight_decay"]
    if wd != 0:
        if group.get("decoupled_weight_decay", False):
            p.mul_(1 - group["lr"] * wd)
        else:
            g = g.add(p, alpha=wd)
    return g


def update_moments(g, state, beta1, beta2):
    """m <- lerp(m, g, 1 - beta1) (2.x; 1.13 has mul_/add_, equal to rounding), v <- beta2 v + (1 - beta2) g^2."""
    state["exp_avg"].lerp_(g, 1 - beta1)
    state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)


def recorded(name, optimizer, groups, extra_state=(), **kwargs):
    """both_dtypes, recording the state too: step and moments, the AMSGrad maximum where every
    group keeps one, and `extra_state`."""
    keys = ["step", "expAvg", "expAvgSq", *extra_state]
    if all(g.get("options", {}).get("amsgrad") for g in groups):
        keys.append("maxExpAvgSq")
    return both_dtypes(name, optimizer, groups, state=keys, **kwargs)


def crosscheck(optimizer, groups, update, defaults, steps=12, grads="dense", torch_optimizer=None):
    """Asserts that Reference(update) reproduces torch.optim.<torch_optimizer or optimizer> on a case
    1.13 supports, in float64 (to 1e-12) and float32 (to 1e-6), relative as in test/optim/reference.ts.

    The default dtype is float64 meanwhile, so that scalar state 1.13 keeps in tensors of the
    default dtype (NAdam's mu_product) is as exact as the Python floats the evaluations use.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for dtype, tol in (("float64", 1e-12), ("float32", 1e-6)):
            ours = run_case("", optimizer, groups, dtype, steps=steps, grads=grads, factory=factory(update, **defaults))
            theirs = run_case("", torch_optimizer or optimizer, groups, dtype, steps=steps, grads=grads)
            for t, (a, b) in enumerate(zip(ours["steps"], theirs["steps"])):
                for x, y in zip(a["params"], b["params"]):
                    rms = math.sqrt(sum(v * v for v in y) / len(y))
                    worst = max(abs(u - v) / max(abs(v), rms) for u, v in zip(x, y))
                    assert worst <= tol, f"{optimizer} {groups} {dtype}: step {t + 1} differs from torch.optim by {worst:.3g}"
    finally:
        torch.set_default_dtype(previous)
