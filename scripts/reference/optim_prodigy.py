"""Reference trajectories for Prodigy, with its step size d over the steps.

The authors' package (prodigyopt, github.com/konstmish/prodigy) is not installable here:
ProdigyRef below restates the step of its Prodigy (prodigyopt/prodigy.py at commit
3efb213ee8af5a6bf76f28726398433a847b38e9) with the same torch ops in the parameter's dtype, without
its distributed (fsdp_in_use) branch and with slice_p 1, its default. After every step the
generator records the parameters and each group's d, d_max, d_numerator and k.
"""

import math

import torch

from common import make_grads, snake, torch_kwargs, values, write_fixture

DEFAULTS = dict(lr=1.0, betas=(0.9, 0.999), beta3=None, eps=1e-8, weight_decay=0, decouple=True,
                use_bias_correction=False, safeguard_warmup=False, d0=1e-6, d_coef=1.0,
                growth_rate=float("inf"))


class ProdigyRef(torch.optim.Optimizer):
    def __init__(self, params):
        d0 = DEFAULTS["d0"]
        super().__init__(params, dict(DEFAULTS, d=d0, d_max=d0, d_numerator=0.0, k=0))
        # A group that sets d0 starts its d there, as the reference's constructor argument would.
        for group in self.param_groups:
            group["d"] = group["d_max"] = group["d0"]

    @torch.no_grad()
    def step(self):
        d_denom = 0.0
        group = self.param_groups[0]
        use_bias_correction = group["use_bias_correction"]
        beta1, beta2 = group["betas"]
        beta3 = group["beta3"]
        if beta3 is None:
            beta3 = math.sqrt(beta2)
        k = group["k"]
        d = group["d"]
        d_max = group["d_max"]
        d_coef = group["d_coef"]
        lr = max(group["lr"] for group in self.param_groups)
        if use_bias_correction:
            bias_correction = ((1 - beta2 ** (k + 1)) ** 0.5) / (1 - beta1 ** (k + 1))
        else:
            bias_correction = 1
        dlr = d * lr * bias_correction
        growth_rate = group["growth_rate"]
        decouple = group["decouple"]
        d_numerator = group["d_numerator"]
        d_numerator *= beta3
        delta_numerator = 0.0

        for group in self.param_groups:
            decay = group["weight_decay"]
            group_lr = group["lr"]
            d0 = group["d0"]
            safeguard_warmup = group["safeguard_warmup"]
            if group_lr not in [lr, 0.0]:
                raise RuntimeError("different lr values")
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.data
                if decay != 0 and not decouple:
                    grad.add_(p.data, alpha=decay)
                state = self.state[p]
                if "step" not in state:
                    state["step"] = 0
                    state["s"] = torch.zeros_like(p.data.flatten()).detach()
                    if p.any():
                        state["p0"] = p.flatten().detach().clone()
                    else:
                        state["p0"] = torch.tensor(0, device=p.device, dtype=p.dtype)
                    if beta1 > 0:
                        state["exp_avg"] = torch.zeros_like(p.data).detach()
                    state["exp_avg_sq"] = torch.zeros_like(p.data).detach()
                exp_avg_sq = state["exp_avg_sq"]
                s = state["s"]
                p0 = state["p0"]
                if group_lr > 0.0:
                    sliced_grad = grad.flatten()
                    delta_numerator += (d / d0) * dlr * torch.dot(sliced_grad, p0.data - p.data.flatten()).item()
                    if beta1 > 0:
                        exp_avg = state["exp_avg"]
                        exp_avg.mul_(beta1).add_(grad, alpha=d * (1 - beta1))
                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=d * d * (1 - beta2))
                    if safeguard_warmup:
                        s.mul_(beta3).add_(sliced_grad, alpha=((d / d0) * d))
                    else:
                        s.mul_(beta3).add_(sliced_grad, alpha=((d / d0) * dlr))
                    d_denom += s.abs().sum().item()

        d_hat = d
        if d_denom == 0:
            return
        if lr > 0.0:
            global_d_numerator = d_numerator + delta_numerator
            global_d_denom = d_denom
            d_hat = d_coef * global_d_numerator / global_d_denom
            if d == group["d0"]:
                d = max(d, d_hat)
            d_max = max(d_max, d_hat)
            d = min(d_max, d * growth_rate)

        for group in self.param_groups:
            group["d_numerator"] = global_d_numerator
            group["d"] = d
            group["d_max"] = d_max
            decay = group["weight_decay"]
            k = group["k"]
            eps = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad.data
                state = self.state[p]
                exp_avg_sq = state["exp_avg_sq"]
                state["step"] += 1
                denom = exp_avg_sq.sqrt().add_(d * eps)
                if decay != 0 and decouple:
                    p.data.add_(p.data, alpha=-decay * dlr)
                if beta1 > 0:
                    exp_avg = state["exp_avg"]
                    p.data.addcdiv_(exp_avg, denom, value=-dlr)
                else:
                    p.data.addcdiv_(grad, denom, value=-dlr * d)
            group["k"] = k + 1


def run(name, groups, dtype, steps=12, grads="dense", seed=0, zero_grads_at=()):
    gen = torch.Generator().manual_seed(seed)
    dt = {"float32": torch.float32, "float64": torch.float64}[dtype]
    torch_groups, descent_groups, tensors = [], [], []
    for group in groups:
        params = [torch.randn(n, generator=gen, dtype=torch.float64).to(dt) for n in group["sizes"]]
        tensors.extend(params)
        torch_groups.append({"params": params, **torch_kwargs(group.get("options", {}))})
        descent_groups.append({"params": [values(p) for p in params], "options": group.get("options", {})})
    opt = ProdigyRef(torch_groups)
    record = []
    for t in range(steps):
        gs = make_grads(gen, [p.numel() for p in tensors], dtype, grads, t)
        if t in zero_grads_at:
            gs = [torch.zeros_like(g) for g in gs]
        for p, g in zip(tensors, gs):
            p.grad = g.clone()
        opt.step()
        entry = {"grads": [values(g) for g in gs], "params": [values(p) for p in tensors]}
        # float32's d_numerator is a dot product of gradients with small displacements, whose
        # terms cancel: its relative rounding passes 1e-5 while d and the parameters stay within,
        # so it is recorded in float64 alone.
        keys = ("k", "d", "dMax", "dNumerator") if dtype == "float64" else ("k", "d", "dMax")
        entry["groupState"] = {key: [float(g[snake(key)]) for g in opt.param_groups] for key in keys}
        record.append(entry)
    return {"name": name, "optimizer": "Prodigy", "dtype": dtype, "groups": descent_groups, "steps": record}


one = lambda **o: [{"sizes": [5, 3], "options": o}]
variants = [
    ("defaults", [{"sizes": [5, 3]}], {}),
    ("long", one(), {"steps": 40}),
    ("lr", one(lr=0.5), {}),
    ("betas", one(betas=[0.5, 0.8]), {}),
    ("no first moment", one(betas=[0, 0.99]), {}),
    ("beta3", one(beta3=0.5), {}),
    ("eps", one(eps=1e-3), {}),
    ("decoupled weight decay", one(weightDecay=0.1), {}),
    ("coupled weight decay", one(weightDecay=0.1, decouple=False), {}),
    ("coupled weight decay no first moment", one(weightDecay=0.1, decouple=False, betas=[0, 0.9]), {}),
    ("bias correction", one(useBiasCorrection=True), {}),
    ("safeguard warmup", one(safeguardWarmup=True), {}),
    ("d0", one(d0=1e-3), {}),
    ("d coef", one(dCoef=0.5), {}),
    ("growth rate", one(growthRate=1.5, d0=1e-4), {"steps": 20}),
    ("zero gradients first", one(), {"zero_grads_at": (0, 1)}),
    ("sparse", one(), {"grads": "sparse"}),
    ("sign flipping", one(), {"grads": "flip"}),
    ("scaled", one(), {"grads": "scaled"}),
    ("groups", [
        {"sizes": [4], "options": {"eps": 1e-4, "weightDecay": 0.05}},
        {"sizes": [6, 2], "options": {"safeguardWarmup": True}},
    ], {}),
    ("frozen group", [
        {"sizes": [4], "options": {"lr": 0.8}},
        # lr 0 without decay: the reference leaves it where it is (descent also with decay).
        {"sizes": [3], "options": {"lr": 0}},
    ], {}),
]
cases = []
for name, groups, kwargs in variants:
    cases += [run(f"{name} {d}", groups, d, **kwargs) for d in ("float64", "float32")]
write_fixture("packages/descent/test/optim/fixtures/prodigy.json", cases, "scripts/reference/optim_prodigy.py")
