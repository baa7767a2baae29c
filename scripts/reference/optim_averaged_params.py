"""Reference sequences for AveragedParams (src/optim/averaged-params.ts).

Debian's torch 1.13 runs torch.optim.swa_utils.AveragedModel itself. Its default average is
2.x's on the CPU (`get_swa_avg_fn`: avg + (p - avg) / (n + 1)), so the SWA cases are 1.13's
AveragedModel as it is. 1.13 has no `get_ema_multi_avg_fn` (2.1+), whose update is
`torch._foreach_lerp_(ema_params, current_params, 1 - decay)`; the EMA cases give 1.13's
AveragedModel an avg_fn evaluating that formula with torch.lerp, tensor by tensor. Each case makes
a model of a few parameters, moves them randomly between updates (as training would), calls
update_parameters, and records the parameters and the averages after each update.
"""

import torch
from torch.optim.swa_utils import AveragedModel

from common import DTYPES, values, write_fixture


class Model(torch.nn.Module):
    def __init__(self, tensors):
        super().__init__()
        self.ps = torch.nn.ParameterList([torch.nn.Parameter(t.clone()) for t in tensors])


def ema(decay):
    """2.x's get_ema_multi_avg_fn(decay), one tensor at a time."""
    return lambda averaged, current, num_averaged: torch.lerp(averaged, current, 1 - decay)


def case(name, dtype, sizes, updates=8, decay=None, seed=0):
    gen = torch.Generator().manual_seed(seed)
    model = Model([torch.randn(n, generator=gen, dtype=torch.float64).to(DTYPES[dtype]) for n in sizes])
    averaged = AveragedModel(model) if decay is None else AveragedModel(model, avg_fn=ema(decay))
    record = {"name": f"{name} {dtype}", "dtype": dtype, "decay": decay,
              "initial": [values(p) for p in model.parameters()], "updates": []}
    assert all(torch.equal(a, p) for a, p in zip(averaged.module.parameters(), model.parameters()))
    for _ in range(updates):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn(p.numel(), generator=gen, dtype=torch.float64).to(p.dtype) * 0.5)
        averaged.update_parameters(model)
        record["updates"].append({"params": [values(p) for p in model.parameters()],
                                  "averaged": [values(a) for a in averaged.module.parameters()]})
    assert int(averaged.n_averaged) == updates
    return record


cases = []
for dtype in ("float64", "float32"):
    cases.append(case("SWA", dtype, [5, 3, 4], updates=12))
    cases.append(case("SWA, one tensor", dtype, [7], updates=3, seed=1))
    for decay in (0.9, 0.999, 0.3, 0.0, 1.0):
        cases.append(case(f"EMA decay {decay}", dtype, [5, 3], updates=10, decay=decay, seed=2))

write_fixture("packages/descent/test/optim/fixtures/averaged-params.json", cases,
              "scripts/reference/optim_averaged_params.py")
