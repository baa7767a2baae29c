"""Reference rates for SWALR (src/schedules/swa-lr.ts), from Debian's torch 1.13, which has
torch.optim.swa_utils.SWALR as 2.x does (the same get_lr).

Each case attaches SWALR to an SGD optimizer with two groups and records every group's lr after
construction and after every step (the layout of schedules_torch.py's cases). A case with `before` also attaches another scheduler first,
as the SWA recipe does (a schedule until averaging starts, SWALR from then on): both are built
at the start, the other steps `before.steps` times, then SWALR steps.
"""

import torch
from torch.optim import lr_scheduler
from torch.optim.swa_utils import SWALR

from common import snake, write_fixture

GROUPS = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.02, "momentum": 0.5}]
NAMES = {"TMax": "T_max"}


def case(name, options, steps=15, before=None):
    opt = torch.optim.SGD([{"params": [torch.zeros(2, requires_grad=True)], **g} for g in GROUPS])
    other = None
    if before:
        other = getattr(lr_scheduler, before["scheduler"])(
            opt, **{NAMES.get(k, snake(k)): v for k, v in before["options"].items()})
    swa = SWALR(opt, **{snake(k): v for k, v in options.items()})
    trajectory = [{"lr": [g["lr"] for g in opt.param_groups]}]
    for t in range((before or {}).get("steps", 0)):
        opt.step()
        other.step()
        trajectory.append({"lr": [g["lr"] for g in opt.param_groups]})
    for t in range(steps):
        opt.step()
        swa.step()
        trajectory.append({"lr": [g["lr"] for g in opt.param_groups]})
        assert swa.get_last_lr() == trajectory[-1]["lr"]
    spec = {"name": name, "scheduler": "SWALR", "optimizer": "SGD", "groups": GROUPS, "options": options,
            "steps": steps, "trajectory": trajectory}
    if before:
        spec["before"] = before
    return spec


cases = [
    case("defaults: cos over 10", {"swaLr": 0.05}),
    case("cos over 4", {"swaLr": 0.01, "annealEpochs": 4}, steps=8),
    case("linear over 5, one rate per group", {"swaLr": [0.01, 0.05], "annealEpochs": 5, "annealStrategy": "linear"}),
    case("cos over 0: at once", {"swaLr": 0.03, "annealEpochs": 0}, steps=5),
    case("linear over 0: at once", {"swaLr": [0.2, 0.001], "annealEpochs": 0, "annealStrategy": "linear"}, steps=5),
    case("cos over 1", {"swaLr": 0.04, "annealEpochs": 1}, steps=5),
    case("to 0", {"swaLr": 0, "annealEpochs": 3, "annealStrategy": "linear"}, steps=6),
    case("after CosineAnnealingLR", {"swaLr": 0.05, "annealEpochs": 3}, steps=8,
         before={"scheduler": "CosineAnnealingLR", "options": {"TMax": 20}, "steps": 9}),
    case("after StepLR, linear", {"swaLr": [0.02, 0.004], "annealEpochs": 4, "annealStrategy": "linear"}, steps=8,
         before={"scheduler": "StepLR", "options": {"stepSize": 3, "gamma": 0.5}, "steps": 7}),
]
write_fixture("packages/descent/test/schedules/fixtures/swa-lr.json", cases, "scripts/reference/schedules_swa_lr.py")
