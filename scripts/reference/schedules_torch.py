"""Reference sequences for the PyTorch-style schedulers of src/schedules/.

Each case attaches a scheduler (or a composition of schedulers) to an optimizer whose groups hold
dummy parameters, steps it many times with non-default options, and records every group's lr
(and momentum or betas) after construction and after every step. ReduceLROnPlateau cases feed a
metric sequence. Options are descent's (camelCase); a string "fn:<name>" stands for a function of
FUNCTIONS below, which test/schedules/reference.ts defines identically.

PyTorch 1.13 (Debian's) follows 2.x in everything recorded here but two places, where the case
follows 2.x, evaluated here, and says "2.x" in its name:
- CyclicLR on an optimizer with betas: 1.13 refuses it; 2.x cycles betas[0] with the formula it
  uses for momentum. The reference runs 1.13 on an SGD twin (same groups, momentum for betas[0])
  and moves the momentum it computes into betas[0], beta2 unchanged.
- MultiplicativeLR restarted by SequentialLR at a milestone: 1.13 keeps the rate there, 2.x
  (`_update_lr(0)`, no longer the initial step) multiplies it by lr_lambda(0). The reference
  recomputes the sequence from the milestone on with 2.x's recursion.
"""

import math

import torch
from torch.optim import lr_scheduler

from common import snake, write_fixture

FUNCTIONS = {
    "exp93": lambda e: 0.93**e,
    "warmup8": lambda e: min(1.0, (e + 1) / 8),
    "wave": lambda e: 1 + 0.5 * math.sin(e / 3),
    "times97": lambda e: 0.97,
    "zigzag": lambda e: 0.8 if e % 2 else 1.1,
    "harmonic": lambda x: 1 / (1 + 0.1 * x),
}

# Options whose PyTorch names are not the snake_case of descent's.
NAMES = {"TMax": "T_max", "T0": "T_0", "TMult": "T_mult"}

SGD2 = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5}]
SGD1 = [{"lr": 0.05, "momentum": 0.0}]
ADAM2 = [{"lr": 0.01, "betas": [0.9, 0.999]}, {"lr": 0.003, "betas": [0.8, 0.99]}]


def resolve(value):
    if isinstance(value, str) and value.startswith("fn:"):
        return FUNCTIONS[value[3:]]
    if isinstance(value, list):
        return [resolve(v) for v in value]
    return value


def kwargs(options):
    return {NAMES.get(k, snake(k)): resolve(v) for k, v in options.items()}


def make_optimizer(name, groups):
    torch_groups = [
        {"params": [torch.zeros(2, requires_grad=True)],
         **{snake(k): tuple(v) if isinstance(v, list) else v for k, v in g.items()}}
        for g in groups
    ]
    return getattr(torch.optim, name)(torch_groups)


def build(spec, opt):
    children = [build(child, opt) for child in spec.get("children", [])]
    kind = spec["scheduler"]
    if kind == "SequentialLR":
        return lr_scheduler.SequentialLR(opt, schedulers=children, **kwargs(spec.get("options", {})))
    if kind == "ChainedScheduler":
        return lr_scheduler.ChainedScheduler(children)
    return getattr(lr_scheduler, kind)(opt, **kwargs(spec.get("options", {})))


def snapshot(opt):
    groups = opt.param_groups
    record = {"lr": [float(g["lr"]) for g in groups]}
    if "momentum" in groups[0]:
        record["momentum"] = [float(g["momentum"]) for g in groups]
    if "betas" in groups[0]:
        record["betas"] = [[float(b) for b in g["betas"]] for g in groups]
    return record


def case(name, scheduler, options=None, optimizer="SGD", groups=SGD2, steps=40, children=None,
         metrics=None):
    spec = {"name": name, "scheduler": scheduler, "optimizer": optimizer, "groups": groups,
            "options": options or {}, "steps": steps}
    if children:
        spec["children"] = children
    if metrics:
        spec["metrics"] = metrics
    opt = make_optimizer(optimizer, groups)
    sched = build(spec, opt)
    trajectory = [snapshot(opt)]
    for t in range(steps):
        opt.step()
        if metrics:
            sched.step(metrics[t])
        else:
            sched.step()
        trajectory.append(snapshot(opt))
        # get_last_lr() returns _last_lr (1.13's ReduceLROnPlateau has only the latter).
        assert sched._last_lr == trajectory[-1]["lr"], name
    if scheduler == "OneCycleLR":
        try:
            sched.step()
        except ValueError:
            spec["throwsAfterSteps"] = True
        assert spec.get("throwsAfterSteps"), f"{name}: PyTorch stepped past total_steps"
    spec["trajectory"] = trajectory
    return spec


def child(scheduler, **options):
    return {"scheduler": scheduler, "options": options}


def cyclic_with_betas(name, optimizer, options, steps):
    """2.x's CyclicLR on an optimizer with betas (see the module docstring): 1.13 on an SGD twin."""
    twin = [{"lr": g["lr"], "momentum": g["betas"][0]} for g in ADAM2]
    reference = case(name, "CyclicLR", options, groups=twin, steps=steps)
    reference["optimizer"], reference["groups"] = optimizer, ADAM2
    for record in reference["trajectory"]:
        momentum = record.pop("momentum")
        record["betas"] = [[m, g["betas"][1]] for m, g in zip(momentum, ADAM2)]
    return reference


def sequential_multiplicative(name, steps):
    """2.x's SequentialLR([LinearLR, MultiplicativeLR]) (see the module docstring)."""
    milestone, fn = 5, FUNCTIONS["zigzag"]
    reference = case(name, "SequentialLR", {"milestones": [milestone]}, steps=steps, children=[
        child("LinearLR", startFactor=0.3, totalIters=5),
        child("MultiplicativeLR", lrLambda="fn:zigzag"),
    ])
    trajectory = reference["trajectory"]
    for t in range(milestone, steps + 1):
        factor = fn(t - milestone)
        trajectory[t]["lr"] = [lr * factor for lr in trajectory[t - 1]["lr"]]
    return reference


def falling(n, stall):
    """A validation loss that falls, then hovers with small wiggles from step `stall` on."""
    return [1 / (1 + 0.3 * min(t, stall)) + 0.02 * math.sin(2.1 * t) for t in range(n)]


def stalled(n, stall):
    """A loss that falls, then repeats the same three values from step `stall` on."""
    return [1 / (1 + 0.3 * min(t, stall)) + 0.01 * (t % 3 if t >= stall else 0) for t in range(n)]


def rising(n, stall):
    """An accuracy that rises, then hovers."""
    return [1 - 1 / (1 + 0.2 * min(t, stall)) + 0.01 * math.cos(3.3 * t) for t in range(n)]


schedulers = [
    case("LambdaLR one function", "LambdaLR", {"lrLambda": "fn:exp93"}),
    case("LambdaLR per group", "LambdaLR", {"lrLambda": ["fn:warmup8", "fn:wave"]}),
    case("MultiplicativeLR one function", "MultiplicativeLR", {"lrLambda": "fn:times97"}),
    case("MultiplicativeLR per group", "MultiplicativeLR", {"lrLambda": ["fn:zigzag", "fn:times97"]}),
    case("StepLR", "StepLR", {"stepSize": 7, "gamma": 0.5}),
    case("StepLR default gamma", "StepLR", {"stepSize": 3}, steps=20),
    case("MultiStepLR repeated milestone", "MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    case("MultiStepLR unsorted", "MultiStepLR", {"milestones": [20, 4, 9]}, steps=25),
    case("ConstantLR", "ConstantLR", {"factor": 0.25, "totalIters": 9}, steps=20),
    case("ConstantLR defaults", "ConstantLR", steps=10),
    case("LinearLR warmup", "LinearLR", {"startFactor": 0.2, "endFactor": 0.9, "totalIters": 15}, steps=25),
    case("LinearLR decay", "LinearLR", {"startFactor": 1.0, "endFactor": 0.1, "totalIters": 12}, steps=20),
    case("LinearLR defaults", "LinearLR", steps=10),
    case("ExponentialLR", "ExponentialLR", {"gamma": 0.955}, steps=60),
    case("PolynomialLR", "PolynomialLR", {"totalIters": 20, "power": 2.5}, steps=30),
    case("PolynomialLR square root", "PolynomialLR", {"totalIters": 13, "power": 0.5}, steps=20),
    case("PolynomialLR defaults", "PolynomialLR", steps=10),
    case("CosineAnnealingLR past TMax", "CosineAnnealingLR", {"TMax": 17, "etaMin": 0.001}, steps=80),
    case("CosineAnnealingLR", "CosineAnnealingLR", {"TMax": 10}, steps=45),
    case("CosineAnnealingWarmRestarts", "CosineAnnealingWarmRestarts",
         {"T0": 6, "TMult": 2, "etaMin": 0.002}, steps=100),
    case("CosineAnnealingWarmRestarts TMult 1", "CosineAnnealingWarmRestarts", {"T0": 5}, steps=30),
    case("CyclicLR triangular", "CyclicLR",
         {"baseLr": [0.01, 0.002], "maxLr": [0.1, 0.05], "stepSizeUp": 5, "stepSizeDown": 3,
          "baseMomentum": 0.7, "maxMomentum": 0.95}),
    case("CyclicLR triangular2", "CyclicLR",
         {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 4, "mode": "triangular2"}),
    case("CyclicLR exp_range", "CyclicLR",
         {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 6, "stepSizeDown": 2, "mode": "exp_range",
          "gamma": 0.97, "baseMomentum": [0.6, 0.7], "maxMomentum": [0.9, 0.8]}, steps=50),
    case("CyclicLR scaleFn of iterations", "CyclicLR",
         {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 3, "scaleFn": "fn:harmonic",
          "scaleMode": "iterations"}),
    case("CyclicLR scaleFn of cycles", "CyclicLR",
         {"baseLr": 0.001, "maxLr": 0.01, "stepSizeUp": 3, "stepSizeDown": 5, "scaleFn": "fn:harmonic"}),
    case("CyclicLR without momentum", "CyclicLR",
         {"baseLr": 0.01, "maxLr": 0.2, "stepSizeUp": 4, "cycleMomentum": False}, groups=SGD1),
    cyclic_with_betas("CyclicLR Adam betas (2.x)", "Adam",
                      {"baseLr": [0.001, 0.0005], "maxLr": [0.01, 0.004], "stepSizeUp": 4,
                       "baseMomentum": [0.8, 0.75], "maxMomentum": [0.9, 0.95]}, steps=30),
    cyclic_with_betas("CyclicLR Adamax betas (2.x)", "Adamax",
                      {"baseLr": 0.002, "maxLr": 0.02, "stepSizeUp": 3, "stepSizeDown": 6,
                       "mode": "triangular2"}, steps=30),
    case("OneCycleLR", "OneCycleLR", {"maxLr": [0.1, 0.3], "totalSteps": 50, "pctStart": 0.25}, steps=50),
    case("OneCycleLR linear three phase", "OneCycleLR",
         {"maxLr": 0.05, "totalSteps": 40, "annealStrategy": "linear", "threePhase": True,
          "divFactor": 10.0, "finalDivFactor": 100.0, "baseMomentum": 0.8, "maxMomentum": 0.92},
         steps=40),
    case("OneCycleLR epochs three phase", "OneCycleLR",
         {"maxLr": 0.02, "epochs": 4, "stepsPerEpoch": 9, "pctStart": 0.4, "threePhase": True}, steps=36),
    case("OneCycleLR Adam betas", "OneCycleLR", {"maxLr": [0.01, 0.004], "totalSteps": 30},
         optimizer="Adam", groups=ADAM2, steps=30),
    case("OneCycleLR AdamW betas three phase", "OneCycleLR",
         {"maxLr": 0.01, "totalSteps": 24, "threePhase": True, "baseMomentum": [0.7, 0.8],
          "maxMomentum": [0.9, 0.85]}, optimizer="AdamW", groups=ADAM2, steps=24),
    case("OneCycleLR Adamax betas", "OneCycleLR", {"maxLr": 0.02, "totalSteps": 16, "pctStart": 0.5},
         optimizer="Adamax", groups=ADAM2, steps=16),
    case("OneCycleLR without momentum", "OneCycleLR",
         {"maxLr": 0.1, "totalSteps": 20, "cycleMomentum": False}, groups=SGD1, steps=20),
]

plateau = [
    case("min rel", "ReduceLROnPlateau", {"patience": 2, "factor": 0.5, "threshold": 0.05},
         steps=60, metrics=falling(60, 12)),
    case("min abs cooldown minLr", "ReduceLROnPlateau",
         {"thresholdMode": "abs", "threshold": 0.01, "patience": 1, "cooldown": 3, "factor": 0.3,
          "minLr": 0.004}, steps=60, metrics=falling(60, 8)),
    case("max rel per-group minLr", "ReduceLROnPlateau",
         {"mode": "max", "patience": 3, "threshold": 0.001, "cooldown": 1, "factor": 0.7,
          "minLr": [0.01, 0.0005]}, steps=80, metrics=rising(80, 15)),
    case("max abs eps", "ReduceLROnPlateau",
         {"mode": "max", "thresholdMode": "abs", "threshold": 0.002, "patience": 0, "factor": 0.9,
          "minLr": [0.05, 0.0], "eps": 0.003}, steps=60, metrics=rising(60, 10)),
    case("defaults", "ReduceLROnPlateau", steps=70, metrics=stalled(70, 20)),
]

compositions = [
    case("SequentialLR constant then exponential", "SequentialLR", {"milestones": [4]}, steps=30,
         children=[child("ConstantLR", factor=0.1, totalIters=4), child("ExponentialLR", gamma=0.9)]),
    case("SequentialLR warmup cosine step", "SequentialLR", {"milestones": [6, 26]}, steps=50,
         children=[child("LinearLR", startFactor=0.05, endFactor=1.0, totalIters=6),
                   child("CosineAnnealingLR", TMax=20, etaMin=0.001),
                   child("StepLR", stepSize=5, gamma=0.5)]),
    case("SequentialLR warmup restarts", "SequentialLR", {"milestones": [5]}, steps=40,
         children=[child("LinearLR", startFactor=0.25, totalIters=5),
                   child("CosineAnnealingWarmRestarts", T0=4, TMult=2)]),
    case("SequentialLR constant lambda polynomial", "SequentialLR", {"milestones": [3, 10]}, steps=25,
         children=[child("ConstantLR", factor=0.5, totalIters=3),
                   child("LambdaLR", lrLambda="fn:exp93"),
                   child("PolynomialLR", totalIters=8, power=2.0)]),
    case("SequentialLR step multistep exponential", "SequentialLR", {"milestones": [8, 20]}, steps=35,
         children=[child("StepLR", stepSize=3, gamma=0.8),
                   child("MultiStepLR", milestones=[2, 5, 9], gamma=0.6),
                   child("ExponentialLR", gamma=0.95)]),
    sequential_multiplicative("SequentialLR linear multiplicative (2.x)", steps=20),
    case("ChainedScheduler constant exponential", "ChainedScheduler", steps=20,
         children=[child("ConstantLR", factor=0.1, totalIters=2), child("ExponentialLR", gamma=0.9)]),
    case("ChainedScheduler linear step multistep", "ChainedScheduler", steps=30,
         children=[child("LinearLR", startFactor=0.2, totalIters=10),
                   child("StepLR", stepSize=4, gamma=0.7),
                   child("MultiStepLR", milestones=[3, 9], gamma=0.5)]),
    case("ChainedScheduler of a SequentialLR", "ChainedScheduler", steps=25, children=[
        {"scheduler": "SequentialLR", "options": {"milestones": [5]},
         "children": [child("ConstantLR", factor=0.5, totalIters=5), child("ExponentialLR", gamma=0.9)]},
        child("MultiplicativeLR", lrLambda="fn:times97"),
    ]),
]

write_fixture("packages/descent/test/schedules/fixtures/schedulers.json", schedulers, "scripts/reference/schedules_torch.py")
write_fixture("packages/descent/test/schedules/fixtures/plateau.json", plateau, "scripts/reference/schedules_torch.py")
write_fixture("packages/descent/test/schedules/fixtures/compositions.json", compositions, "scripts/reference/schedules_torch.py")
