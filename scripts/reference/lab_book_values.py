"""What the book prints for the lab's deterministic traces, the exact values behind it, and the
learning rates of the book's schedulers.

For each deterministic trace experiment of the optimization chapter (ids of
../shared/chapter12.md), this runs the book's own code (Dive into Deep Learning, PyTorch
edition) as the book writes it, capturing the line it prints, and evaluates the same update
rule again in float64 with plain Python floats. The book's PyTorch code computes some traces in
float32 (whenever a torch tensor such as `c = torch.tensor(0.15 * np.pi)` enters the update), so
its printed digits can differ from the float64 path in the last place; the lab runs float64 and
is compared with both.

The schedulers of 12.11 are the book's classes, verbatim, called as its plots call them.

Writes packages/descent-lab/data/book-values.json, read by the lab (the report's "book" column) and by its tests.
Run with Debian's python3-torch: /usr/bin/python3 scripts/reference/lab_book_values.py
"""

import contextlib
import io
import json
import math
import os
import sys

import numpy as np
import torch

from book_schedulers import CosineScheduler, FactorScheduler, SquareRootScheduler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = "packages/descent-lab/data/book-values.json"


def printed(run):
    """Runs the book's code and returns (what it prints, what it returns)."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        results = run()
    return buffer.getvalue().strip(), results


# ---- 12.3: the book's 1-D gradient descent and Newton, and 2-D train_2d, verbatim ----

def gd(eta, f_grad):
    x = 10.0
    results = [x]
    for i in range(10):
        x -= eta * f_grad(x)
        results.append(float(x))
    print(f'epoch 10, x: {x:f}')
    return results


def train_2d(trainer, steps=20, f_grad=None):
    x1, x2, s1, s2 = -5, -2, 0, 0
    results = [(x1, x2)]
    for i in range(steps):
        if f_grad:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2, f_grad)
        else:
            x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
        results.append((x1, x2))
    print(f'epoch {i + 1}, x1: {float(x1):f}, x2: {float(x2):f}')
    return results


def book_runs():
    """Each experiment id -> a function running the book's code for it."""
    runs = {}

    def f_grad_square(x):
        return 2 * x

    for eta in (0.2, 0.05, 1.1):
        runs[f"gd-1d-eta{eta}"] = lambda eta=eta: gd(eta, f_grad_square)

    c_local = torch.tensor(0.15 * np.pi)

    def f_grad_local(x):
        return torch.cos(c_local * x) - c_local * x * torch.sin(c_local * x)

    runs["gd-1d-local"] = lambda: gd(2, f_grad_local)

    def f_2d_grad(x1, x2):
        return (2 * x1, 4 * x2)

    def gd_2d(x1, x2, s1, s2, f_grad):
        g1, g2 = f_grad(x1, x2)
        return (x1 - eta_box[0] * g1, x2 - eta_box[0] * g2, 0, 0)

    eta_box = [0.1]
    runs["gd-2d"] = lambda: train_2d(gd_2d, f_grad=f_2d_grad)

    def newton_run(f_grad, f_hess, eta):
        x = 10.0
        results = [x]
        for i in range(10):
            x -= eta * f_grad(x) / f_hess(x)
            results.append(float(x))
        print('epoch 10, x:', x)
        return results

    c_cosh = torch.tensor(0.5)
    runs["newton-convex"] = lambda: newton_run(
        lambda x: c_cosh * torch.sinh(c_cosh * x), lambda x: c_cosh ** 2 * torch.cosh(c_cosh * x), 1)
    c_nc = torch.tensor(0.15 * np.pi)
    nc_grad = lambda x: torch.cos(c_nc * x) - c_nc * x * torch.sin(c_nc * x)
    nc_hess = lambda x: -2 * c_nc * torch.sin(c_nc * x) - x * c_nc ** 2 * torch.cos(c_nc * x)
    runs["newton-nonconvex-eta1"] = lambda: newton_run(nc_grad, nc_hess, 1)
    runs["newton-nonconvex-eta0.5"] = lambda: newton_run(nc_grad, nc_hess, 0.5)

    # ---- 12.6 momentum: f(x) = 0.1 x1^2 + 2 x2^2 ----
    def gd_2d_ill(x1, x2, s1, s2):
        return (x1 - eta_m[0] * 0.2 * x1, x2 - eta_m[0] * 4 * x2, 0, 0)

    def momentum_2d(x1, x2, v1, v2):
        v1 = beta_m[0] * v1 + 0.2 * x1
        v2 = beta_m[0] * v2 + 4 * x2
        return x1 - eta_m[0] * v1, x2 - eta_m[0] * v2, v1, v2

    eta_m, beta_m = [0.4], [0.5]

    def with_settings(eta, beta, trainer):
        def run():
            eta_m[0], beta_m[0] = eta, beta
            return train_2d(trainer)
        return run

    runs["momentum-gd-eta0.4"] = with_settings(0.4, 0, gd_2d_ill)
    runs["momentum-gd-eta0.6"] = with_settings(0.6, 0, gd_2d_ill)
    runs["momentum-2d-beta0.5"] = with_settings(0.6, 0.5, momentum_2d)
    runs["momentum-2d-beta0.25"] = with_settings(0.6, 0.25, momentum_2d)

    # ---- 12.7 AdaGrad and 12.8 RMSProp, eps inside the square root as the book writes them ----
    def adagrad_2d(x1, x2, s1, s2):
        eps = 1e-6
        g1, g2 = 0.2 * x1, 4 * x2
        s1 += g1 ** 2
        s2 += g2 ** 2
        x1 -= eta_m[0] / math.sqrt(s1 + eps) * g1
        x2 -= eta_m[0] / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    runs["adagrad-2d-eta0.4"] = with_settings(0.4, 0, adagrad_2d)
    runs["adagrad-2d-eta2"] = with_settings(2, 0, adagrad_2d)

    def rmsprop_2d(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma_r[0] * s1 + (1 - gamma_r[0]) * g1 ** 2
        s2 = gamma_r[0] * s2 + (1 - gamma_r[0]) * g2 ** 2
        x1 -= eta_m[0] / math.sqrt(s1 + eps) * g1
        x2 -= eta_m[0] / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2

    gamma_r = [0.9]
    runs["rmsprop-2d"] = with_settings(0.4, 0, rmsprop_2d)
    return runs


# ---- The same rules in float64 with plain Python floats, written independently ----

def float64_paths():
    paths = {}

    def iterate(x, steps, update):
        path = [x]
        for _ in range(steps):
            x = update(x)
            path.append(x)
        return path

    for eta in (0.2, 0.05, 1.1):
        paths[f"gd-1d-eta{eta}"] = iterate(10.0, 10, lambda x, eta=eta: x - eta * 2 * x)
    c = 0.15 * math.pi
    grad_local = lambda x: math.cos(c * x) - c * x * math.sin(c * x)
    hess_local = lambda x: -2 * c * math.sin(c * x) - x * c * c * math.cos(c * x)
    paths["gd-1d-local"] = iterate(10.0, 10, lambda x: x - 2 * grad_local(x))
    paths["newton-convex"] = iterate(10.0, 10, lambda x: x - math.tanh(0.5 * x) / 0.5)
    paths["newton-nonconvex-eta1"] = iterate(10.0, 10, lambda x: x - grad_local(x) / hess_local(x))
    paths["newton-nonconvex-eta0.5"] = iterate(10.0, 10, lambda x: x - 0.5 * grad_local(x) / hess_local(x))

    def iterate_2d(a1, a2, update, steps=20):
        """Minimizes a1 x1^2 + a2 x2^2 from (-5, -2); update(x, g, state) -> new x."""
        x, state, path = [-5.0, -2.0], [{}, {}], [(-5.0, -2.0)]
        for _ in range(steps):
            g = [2 * a1 * x[0], 2 * a2 * x[1]]
            x = [update(x[i], g[i], state[i]) for i in range(2)]
            path.append(tuple(x))
        return path

    def plain(eta):
        return lambda x, g, s: x - eta * g

    def heavy_ball(eta, beta):
        def update(x, g, s):
            s["v"] = beta * s.get("v", 0.0) + g
            return x - eta * s["v"]
        return update

    def adagrad(eta):
        def update(x, g, s):
            s["s"] = s.get("s", 0.0) + g * g
            return x - eta * g / math.sqrt(s["s"] + 1e-6)
        return update

    def rmsprop(eta, gamma):
        def update(x, g, s):
            s["s"] = gamma * s.get("s", 0.0) + (1 - gamma) * g * g
            return x - eta * g / math.sqrt(s["s"] + 1e-6)
        return update

    paths["gd-2d"] = iterate_2d(1, 2, plain(0.1))
    paths["momentum-gd-eta0.4"] = iterate_2d(0.1, 2, plain(0.4))
    paths["momentum-gd-eta0.6"] = iterate_2d(0.1, 2, plain(0.6))
    paths["momentum-2d-beta0.5"] = iterate_2d(0.1, 2, heavy_ball(0.6, 0.5))
    paths["momentum-2d-beta0.25"] = iterate_2d(0.1, 2, heavy_ball(0.6, 0.25))
    paths["adagrad-2d-eta0.4"] = iterate_2d(0.1, 2, adagrad(0.4))
    paths["adagrad-2d-eta2"] = iterate_2d(0.1, 2, adagrad(2))
    paths["rmsprop-2d"] = iterate_2d(0.1, 2, rmsprop(0.4, 0.9))
    return paths


# ---- 12.11: the book's schedulers (book_schedulers.py), called once per epoch as its plots call them ----

def multi_step_values(num_epochs=30):
    """The book's MultiStepLR plot: PyTorch's scheduler on SGD with lr 0.5."""
    net = torch.nn.Linear(1, 1)
    trainer = torch.optim.SGD(net.parameters(), lr=0.5)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(trainer, milestones=[15, 30], gamma=0.5)

    def get_lr(trainer, scheduler):
        lr = scheduler.get_last_lr()[0]
        trainer.step()
        scheduler.step()
        return lr

    return [get_lr(trainer, scheduler) for t in range(num_epochs)]


def book_schedules():
    def plot(scheduler, num_epochs):
        return [float(scheduler(t)) for t in range(num_epochs)]

    return {
        "schedule-square-root": plot(SquareRootScheduler(lr=0.1), 30),
        "schedule-factor": plot(FactorScheduler(factor=0.9, stop_factor_lr=1e-2, base_lr=2.0), 50),
        "schedule-multi-factor": multi_step_values(30),
        "schedule-cosine": plot(CosineScheduler(max_update=20, base_lr=0.3, final_lr=0.01), 30),
        "schedule-cosine-warmup": plot(CosineScheduler(20, warmup_steps=5, base_lr=0.3, final_lr=0.01), 30),
    }


# The traces whose book code computes in float32: a torch tensor (its c = torch.tensor(...))
# enters the update, so every iterate is a float32 tensor.
FLOAT32 = {"gd-1d-local", "newton-convex", "newton-nonconvex-eta1", "newton-nonconvex-eta0.5"}


def check_book_path(eid, path, book_path):
    """The book's own path (its code, run) against ours (its rule in float64, written again).

    Each coordinate must agree within a tolerance times the larger of our iterate and the one
    before it: a step x - d rounds relative to x and d, and |d| <= |x_t| + |x_(t-1)|, so a step that
    cancels most of its predecessor keeps the predecessor's rounding. Where the book runs on Python
    floats the two are the same float64 arithmetic, up to the order of operations (worst seen:
    1.0e-15, adagrad-2d-eta2); where it runs in float32, float32's rounding, grown by the steps
    (worst seen: 6.8e-7, newton-nonconvex-eta1, whose first steps go uphill).
    """
    tolerance = 1e-5 if eid in FLOAT32 else 1e-12
    assert len(path) == len(book_path), (eid, len(path), len(book_path))
    previous = None
    for t, (ours, theirs) in enumerate(zip(path, book_path)):
        a = np.atleast_1d(np.array(ours, dtype=float))
        b = np.atleast_1d(np.array([float(x) for x in np.atleast_1d(theirs)], dtype=float))
        scale = np.abs(a) if previous is None else np.maximum(np.abs(a), np.abs(previous))
        assert np.all(np.abs(a - b) <= tolerance * scale), (eid, t, ours, theirs)
        previous = a


def main():
    paths = float64_paths()
    experiments = {}
    for eid, run in book_runs().items():
        line, book_path = printed(run)
        path = paths[eid]
        check_book_path(eid, path, book_path)
        final = path[-1]
        experiments[eid] = {
            "printed": line,
            "final": list(final) if isinstance(final, tuple) else final,
            "path": [list(p) if isinstance(p, tuple) else p for p in path],
        }
        print(f"{eid:26s} {line}", file=sys.stderr)
    with open(os.path.join(ROOT, OUT), "w") as f:
        json.dump({
            "generator": "scripts/reference/lab_book_values.py",
            "torch": torch.__version__,
            "note": "experiments: for each deterministic trace, printed is the line the book's code "
                    "prints (its PyTorch edition, run here), final and path the same update rule "
                    "evaluated in float64; schedules: the learning rates the book's schedulers give "
                    "at t = 0, 1, ... as its plots call them",
            "experiments": experiments,
            "schedules": book_schedules(),
        }, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}: {len(experiments)} experiments", file=sys.stderr)


if __name__ == "__main__":
    main()
