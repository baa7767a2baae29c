"""Reference trajectories for ScheduleFreeSGD and ScheduleFreeAdamW, with their eval point x.

The authors' package (schedulefree, github.com/facebookresearch/schedule_free) is not installable
here: ScheduleFreeRef below restates the step, eval() and train() of its AdamWScheduleFree and
SGDScheduleFree (schedulefree/adamw_schedulefree.py and schedulefree/sgd_schedulefree.py at commit
59ed9b662d5ec5799aded7390b2482758423653c, their per-tensor path) with the same torch ops, in the
parameter's dtype. After every step the generator records the parameters (y), then calls eval(),
records x, and calls train() again, as the test replays it; and each group's k, weight_sum and
lr_max.
"""

import torch

from common import make_grads, snake, torch_kwargs, values, write_fixture

ADAMW = dict(lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, warmup_steps=0, r=0.0,
             weight_lr_power=2.0)
SGD = dict(lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0, weight_lr_power=2.0)


class ScheduleFreeRef(torch.optim.Optimizer):
    """AdamWScheduleFree (adam=True) or SGDScheduleFree, as the reference writes them."""

    def __init__(self, params, adam):
        self.adam = adam
        defaults = dict(ADAMW if adam else SGD, k=0, train_mode=False, weight_sum=0.0, lr_max=-1.0)
        super().__init__(params, defaults)

    def beta(self, group):
        return group["betas"][0] if self.adam else group["momentum"]

    @torch.no_grad()
    def eval(self):
        for group in self.param_groups:
            if group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - 1 / self.beta(group))
                group["train_mode"] = False

    @torch.no_grad()
    def train(self):
        for group in self.param_groups:
            if not group["train_mode"]:
                for p in group["params"]:
                    state = self.state[p]
                    if "z" in state:
                        p.lerp_(end=state["z"], weight=1 - self.beta(group))
                group["train_mode"] = True

    @torch.no_grad()
    def step(self):
        assert self.param_groups[0]["train_mode"]
        for group in self.param_groups:
            k = group["k"]
            warmup_steps = group["warmup_steps"]
            sched = (k + 1) / warmup_steps if k < warmup_steps else 1.0
            lr = group["lr"] * sched
            lr_max = group["lr_max"] = max(lr, group["lr_max"])
            weight = ((k + 1) ** group["r"]) * (lr_max ** group["weight_lr_power"])
            weight_sum = group["weight_sum"] = group["weight_sum"] + weight
            try:
                ckp1 = weight / weight_sum
            except ZeroDivisionError:
                ckp1 = 0
            decay = group["weight_decay"]
            beta = self.beta(group)
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "z" not in state:
                    state["z"] = torch.clone(p)
                    if self.adam:
                        state["exp_avg_sq"] = torch.zeros_like(p)
                y, grad, z = p, p.grad, state["z"]
                if self.adam:
                    beta2, eps = group["betas"][1], group["eps"]
                    bias_correction2 = 1 - beta2 ** (k + 1)
                    exp_avg_sq = state["exp_avg_sq"]
                    exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                    denom = exp_avg_sq.div(bias_correction2).sqrt_().add_(eps)
                    grad = grad.div_(denom)
                if decay != 0:
                    grad.add_(y, alpha=decay)
                y.lerp_(end=z, weight=ckp1)
                y.add_(grad, alpha=lr * (beta * (1 - ckp1) - 1))
                z.sub_(grad, alpha=lr)
            group["k"] = k + 1


def run(name, optimizer, groups, dtype, steps=12, grads="dense", seed=0):
    gen = torch.Generator().manual_seed(seed)
    dt = {"float32": torch.float32, "float64": torch.float64}[dtype]
    torch_groups, descent_groups, tensors = [], [], []
    for group in groups:
        params = [torch.randn(n, generator=gen, dtype=torch.float64).to(dt) for n in group["sizes"]]
        tensors.extend(params)
        torch_groups.append({"params": params, **torch_kwargs(group.get("options", {}))})
        descent_groups.append({"params": [values(p) for p in params], "options": group.get("options", {})})
    opt = ScheduleFreeRef(torch_groups, adam=optimizer == "ScheduleFreeAdamW")
    opt.train()
    record = []
    for t in range(steps):
        gs = make_grads(gen, [p.numel() for p in tensors], dtype, grads, t)
        for p, g in zip(tensors, gs):
            p.grad = g.clone()
        opt.step()
        entry = {"grads": [values(g) for g in gs], "params": [values(p) for p in tensors]}
        opt.eval()
        entry["evalParams"] = [values(p) for p in tensors]
        opt.train()
        entry["groupState"] = {key: [float(g[snake(key)]) for g in opt.param_groups]
                               for key in ("k", "weightSum", "lrMax")}
        record.append(entry)
    return {"name": name, "optimizer": optimizer, "dtype": dtype, "groups": descent_groups, "steps": record}


def cases_of(optimizer, variants):
    cases = []
    for name, groups, kwargs in variants:
        cases += [run(f"{name} {d}", optimizer, groups, d, **kwargs) for d in ("float64", "float32")]
    return cases


one = lambda **o: [{"sizes": [5, 3], "options": o}]
adamw = [
    ("defaults", [{"sizes": [5, 3]}], {}),
    ("plain", one(lr=0.05), {}),
    ("long", one(lr=0.02, betas=[0.9, 0.99]), {"steps": 40}),
    ("betas", one(lr=0.05, betas=[0.5, 0.8]), {}),
    ("eps", one(lr=0.05, eps=1e-2), {}),
    ("weight decay", one(lr=0.05, weightDecay=0.1), {}),
    ("warmup", one(lr=0.05, warmupSteps=5), {}),
    ("warmup weighted", one(lr=0.05, warmupSteps=4, weightLrPower=1), {}),
    ("no lr weighting", one(lr=0.05, warmupSteps=4, weightLrPower=0), {}),
    ("polynomial r", one(lr=0.05, r=1.5), {}),
    ("zero lr", one(lr=0), {}),
    ("sparse", one(lr=0.05), {"grads": "sparse"}),
    ("sign flipping", one(lr=0.05, betas=[0.8, 0.9]), {"grads": "flip"}),
    ("scaled", one(lr=0.05, eps=1e-6), {"grads": "scaled"}),
    ("groups", [
        {"sizes": [4], "options": {"lr": 0.1, "betas": [0.8, 0.9], "warmupSteps": 3}},
        {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "r": 1, "eps": 1e-3}},
    ], {}),
]
sgd = [
    ("defaults", [{"sizes": [5, 3]}], {}),
    ("plain", one(lr=0.05), {}),
    ("long", one(lr=0.02, momentum=0.95), {"steps": 40}),
    ("momentum", one(lr=0.05, momentum=0.5), {}),
    ("weight decay", one(lr=0.05, weightDecay=0.1), {}),
    ("warmup", one(lr=0.05, warmupSteps=5), {}),
    ("warmup weighted", one(lr=0.05, warmupSteps=4, weightLrPower=1), {}),
    ("no lr weighting", one(lr=0.05, warmupSteps=4, weightLrPower=0), {}),
    ("polynomial r", one(lr=0.05, r=2), {}),
    ("zero lr", one(lr=0), {}),
    ("sign flipping", one(lr=0.05, momentum=0.8), {"grads": "flip"}),
    ("scaled", one(lr=0.001), {"grads": "scaled"}),
    ("groups", [
        {"sizes": [4], "options": {"lr": 0.1, "momentum": 0.8, "warmupSteps": 3}},
        {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "r": 1}},
    ], {}),
]

write_fixture("packages/descent/test/optim/fixtures/schedule-free-adamw.json", cases_of("ScheduleFreeAdamW", adamw),
              "scripts/reference/optim_schedule_free.py")
write_fixture("packages/descent/test/optim/fixtures/schedule-free-sgd.json", cases_of("ScheduleFreeSGD", sgd),
              "scripts/reference/optim_schedule_free.py")
