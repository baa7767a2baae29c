"""Reference trajectories for L-BFGS (fixed step and strong Wolfe line search).

L-BFGS calls a closure many times per step, so the fixed gradients of `run_case` do not apply:
each case names an objective, its initial parameters and options, and records after every
`step(closure)` the loss it returned, the parameters and the function-evaluation count.

The objectives are written here in plain scalar arithmetic, rounding after every operation to the
case's element type, so that test/optim/lbfgs.test.ts can repeat them bit for bit: what is
compared is then the optimizer alone, not two implementations of the objective.

PyTorch 1.13's LBFGS is current PyTorch's but for complex parameters, which descent does not have.
"""

import random

import numpy as np
import torch

from common import DTYPES, torch_kwargs, write_fixture


def rounding(dtype):
    return (lambda x: float(np.float32(x))) if dtype == "float32" else (lambda x: x)


def rosenbrock(x, r, _):
    """sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2 and its gradient."""
    loss, grad = 0.0, [0.0] * len(x)
    for i in range(len(x) - 1):
        a = r(x[i + 1] - r(x[i] * x[i]))
        b = r(1 - x[i])
        loss = r(loss + r(r(100 * r(a * a)) + r(b * b)))
        grad[i] = r(r(grad[i] - r(r(400 * x[i]) * a)) - r(2 * b))
        grad[i + 1] = r(grad[i + 1] + r(200 * a))
    return loss, grad


def quadratic(x, r, objective):
    """x . (A x / 2 - b), gradient A x - b, for a symmetric positive definite A."""
    a, b = objective["A"], objective["b"]
    loss, grad = 0.0, []
    for i in range(len(x)):
        ax = 0.0
        for j in range(len(x)):
            ax = r(ax + r(a[i][j] * x[j]))
        grad.append(r(ax - b[i]))
        loss = r(loss + r(x[i] * r(r(0.5 * ax) - b[i])))
    return loss, grad


OBJECTIVES = {"rosenbrock": rosenbrock, "quadratic": quadratic}


def random_quadratic(n, seed):
    gen = torch.Generator().manual_seed(seed)
    m = torch.randn(n, n, generator=gen, dtype=torch.float64)
    a = m.T @ m + 0.1 * torch.eye(n, dtype=torch.float64)
    b = torch.randn(n, generator=gen, dtype=torch.float64)
    x0 = torch.randn(n, generator=gen, dtype=torch.float64)
    near = torch.linalg.solve(a, b) + 0.01 * torch.randn(n, generator=gen, dtype=torch.float64)
    return {"name": "quadratic", "A": a.tolist(), "b": b.tolist()}, [x0.tolist()], [near.tolist()]


def round_objective(objective, r):
    """The objective's data (the quadratic's A and b) in the case's element type."""
    rounded = dict(objective)
    if "A" in objective:
        rounded["A"] = [[r(x) for x in row] for row in objective["A"]]
        rounded["b"] = [r(x) for x in objective["b"]]
    return rounded


def run_lbfgs(name, objective, init, dtype, options, steps, unused=0):
    """`unused` appends a parameter of that length that the objective ignores: its grad stays None."""
    r = rounding(dtype)
    objective = round_objective(objective, r)
    init = [[r(x) for x in p] for p in init]
    params = [torch.tensor(p, dtype=DTYPES[dtype], requires_grad=True) for p in init]
    spare = [torch.zeros(unused, dtype=DTYPES[dtype], requires_grad=True)] if unused else []
    opt = torch.optim.LBFGS(params + spare, **torch_kwargs(options))
    evaluate = OBJECTIVES[objective["name"]]

    def closure():
        flat = [float(v) for p in params for v in p.detach().tolist()]
        loss, grad = evaluate(flat, r, objective)
        offset = 0
        for p in params:
            p.grad = torch.tensor(grad[offset:offset + p.numel()], dtype=DTYPES[dtype])
            offset += p.numel()
        return torch.tensor(loss, dtype=DTYPES[dtype])

    record = []
    for _ in range(steps):
        loss = opt.step(closure)
        state = opt.state[params[0]]
        record.append({
            "loss": float(loss),
            "params": [[float(v) for v in p.detach().tolist()] for p in params + spare],
            "funcEvals": state["func_evals"],
            "nIter": state["n_iter"],
        })
    return {"name": f"{name} {dtype}", "dtype": dtype, "objective": objective,
            "params": init + [[0.0] * unused for _ in spare], "unused": unused,
            "options": options, "steps": record}


def both_dtypes(name, objective, init, options, steps, float32_steps=None, **kwargs):
    """float32_steps shortens a float32 trajectory to where float32 rounding has not yet taken it
    over (PyTorch's own float32 and float64 runs part there)."""
    return [run_lbfgs(name, objective, init, "float64", options, steps, **kwargs),
            run_lbfgs(name, objective, init, "float32", options, float32_steps or steps, **kwargs)]


rosen2 = {"name": "rosenbrock"}
start2 = [[-1.5, 2.0]]
rng = random.Random(0)
start6 = [[rng.uniform(-2, 2) for _ in range(4)], [rng.uniform(-2, 2) for _ in range(2)]]
quad, start_quad, near_quad = random_quadratic(5, seed=1)
wolfe = {"lineSearchFn": "strong_wolfe"}

cases = []
cases += both_dtypes("rosenbrock 2-D fixed step", rosen2, start2, {"lr": 0.1}, 5)
cases += both_dtypes("rosenbrock 2-D fixed step defaults", rosen2, start2, {}, 3)
cases += both_dtypes("rosenbrock 2-D strong wolfe", rosen2, start2, wolfe, 4)
cases += both_dtypes("rosenbrock 2-D strong wolfe short history", rosen2, start2,
                     {**wolfe, "historySize": 2, "maxIter": 7}, 6)
cases += both_dtypes("rosenbrock 6-D strong wolfe two params", rosen2, start6,
                     {**wolfe, "historySize": 4, "maxIter": 10, "lr": 0.8}, 5)
cases += both_dtypes("rosenbrock 6-D fixed step two params", rosen2, start6,
                     {"lr": 0.05, "historySize": 5, "maxIter": 7, "maxEval": 9}, 6)
cases += both_dtypes("rosenbrock 6-D strong wolfe few evaluations", rosen2, start6,
                     {**wolfe, "maxIter": 20, "maxEval": 8}, 4)
cases += both_dtypes("quadratic strong wolfe tolerances", quad, start_quad,
                     {**wolfe, "toleranceGrad": 1e-4, "toleranceChange": 1e-6}, 4)
# In float32, step 4 on is rounding noise: PyTorch's float32 run departs from its float64 one by
# 4e-5, and descent's sum of |g| for the first step length (in order, in double) rounds one ulp
# away from PyTorch's (its vectorized order) in this case.
cases += both_dtypes("quadratic fixed step", quad, start_quad, {"lr": 0.3, "historySize": 2, "maxIter": 6}, 5,
                     float32_steps=3)
# Near the minimum ||g||_1 < 1, so the first step length is lr itself (a Python float in PyTorch).
cases += both_dtypes("quadratic near the minimum strong wolfe", quad, near_quad, {**wolfe, "maxIter": 4}, 3)
cases += both_dtypes("rosenbrock unused parameter", rosen2, start2, {**wolfe, "maxIter": 5}, 3, unused=3)

write_fixture("packages/descent/test/optim/fixtures/lbfgs.json", cases, "scripts/reference/optim_lbfgs.py")
