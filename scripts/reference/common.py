"""Shared helpers for the reference generators.

Each generator runs PyTorch (Debian's python3-torch, run with /usr/bin/python3) or an independent
evaluation of a formula, and writes a JSON fixture beside the tests that read it. Tests need no
Python: the fixtures are committed. Run every generator with `bash scripts/reference/generate.sh`.
"""

import json
import math
import os
import re
import sys

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def snake(name):
    """camelCase option name (descent) -> snake_case keyword (PyTorch)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_kwargs(options):
    """descent options -> PyTorch keyword arguments (lists become tuples, as PyTorch documents)."""
    return {snake(k): tuple(v) if isinstance(v, list) else v for k, v in options.items()}


def values(tensor):
    """A tensor as a flat list of Python floats (exact for float32 and float64)."""
    return [float(x) for x in tensor.detach().reshape(-1).tolist()]


def make_grads(gen, sizes, dtype, kind, step):
    """Gradients for one step, one tensor per size.

    kind: 'dense' (normal), 'sparse' (about half the entries exactly zero), 'flip' (the sign of
    every entry alternates from step to step, so sign-sensitive optimizers see reversals),
    'scaled' (entries spanning several orders of magnitude).
    """
    grads = []
    for n in sizes:
        g = torch.randn(n, generator=gen, dtype=torch.float64)
        if kind == "sparse":
            mask = torch.rand(n, generator=gen, dtype=torch.float64) < 0.5
            g = torch.where(mask, torch.zeros_like(g), g)
        elif kind == "flip":
            g = g.abs() + 0.1
            if step % 2 == 1:
                g = -g
        elif kind == "scaled":
            g = g * torch.logspace(-3, 2, n, dtype=torch.float64)
        grads.append(g.to(DTYPES[dtype]))
    return grads


def run_case(name, optimizer, groups, dtype, steps=12, grads="dense", seed=0, factory=None, defaults=None, state=()):
    """Runs PyTorch's optimizer (or `factory(param_groups)`, a reference of our own) on fixed
    gradients and records the parameters after every step.

    groups: list of {"sizes": [n, ...], "options": {camelCase options}}; a size may be a shape,
    [m, n] (row-major, as descent's `shape`), which the fixture's group records as `shapes`.
    defaults: camelCase options given to the constructor rather than to the groups, for options
    PyTorch reads from the constructor alone (Adagrad's initial_accumulator_value).
    state: camelCase keys of per-parameter state to record after every step as well, for state the
    parameters do not reveal (ASGD's average).
    """
    gen = torch.Generator().manual_seed(seed)
    torch_groups, descent_groups, tensors = [], [], []
    for group in groups:
        shapes = [list(n) if isinstance(n, (list, tuple)) else [n] for n in group["sizes"]]
        params = [torch.randn(math.prod(shape), generator=gen, dtype=torch.float64).reshape(shape)
                  .to(DTYPES[dtype]).requires_grad_(True) for shape in shapes]
        tensors.extend(params)
        torch_groups.append({"params": params, **torch_kwargs(group.get("options", {}))})
        descent_group = {"params": [values(p) for p in params], "options": group.get("options", {})}
        if any(isinstance(n, (list, tuple)) for n in group["sizes"]):
            descent_group["shapes"] = shapes
        descent_groups.append(descent_group)
    opt = factory(torch_groups) if factory else getattr(torch.optim, optimizer)(
        torch_groups, foreach=False, **torch_kwargs(defaults or {}))
    sizes = [p.numel() for p in tensors]
    record = []
    for t in range(steps):
        gs = make_grads(gen, sizes, dtype, grads, t)
        for p, g in zip(tensors, gs):
            p.grad = g.clone().reshape(p.shape)
        opt.step()
        entry = {"grads": [values(g) for g in gs], "params": [values(p) for p in tensors]}
        if state:
            entry["state"] = {key: [values(torch.as_tensor(opt.state[p][snake(key)])) for p in tensors]
                              for key in state}
        record.append(entry)
    case = {"name": name, "optimizer": optimizer, "dtype": dtype, "groups": descent_groups, "steps": record}
    if defaults:
        case["defaults"] = defaults
    return case


def both_dtypes(name, optimizer, groups, **kwargs):
    """The same case in float64 and float32."""
    return [run_case(f"{name} {d}", optimizer, groups, d, **kwargs) for d in ("float64", "float32")]


def _floats(value):
    """Every float in a fixture value (nested lists and dicts)."""
    if isinstance(value, float):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _floats(item)


def write_fixture(relative_path, cases, generator):
    # JSON has no NaN or infinities, and a reference that overflowed is no reference.
    for case in cases:
        assert all(math.isfinite(x) for x in _floats(case)), f"{case['name']}: non-finite reference"
    path = os.path.join(ROOT, relative_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generator": generator, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {relative_path}: {len(cases)} cases", file=sys.stderr)
