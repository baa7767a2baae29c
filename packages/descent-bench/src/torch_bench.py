"""PyTorch CPU step times for `npm run bench` (bench/torch.ts runs this with Debian's python3).

Reads a JSON job on stdin: {"sizes": [...], "optimizers": [{"name", "torch", "options"}],
"manySmall": {"count", "size", "total"} or null, "budgetMs", "minReps", "maxReps"}; writes one
JSON object on stdout: {"torch": version, "threads": cores, "results": [...]}, each result the
better of PyTorch on all cores and on one thread, with the thread count it came from.
A job {"muon": {"sizes", "coefficients", "steps", "eps"}, "budgetMs", ...} times Muon's
Newton-Schulz iteration instead, one result per size and thread count (1 and all cores).
"""

import json
import os
import sys
import time

import torch


def measure(step, budget_ms, min_reps, max_reps):
    step()
    step()
    times = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or (time.perf_counter() - start) * 1e3 < budget_ms):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return {"best": times[0], "median": times[len(times) // 2], "reps": len(times)}


def run(job, spec, sizes, foreach):
    """The better of all cores and one thread: on a machine shared with other work, PyTorch's
    threads can stall waiting for each other, and that is not what the benchmark compares."""
    gen = torch.Generator().manual_seed(0)
    params = []
    for n in sizes:
        p = torch.randn(n, generator=gen, dtype=torch.float32).requires_grad_(True)
        p.grad = torch.randn(n, generator=gen, dtype=torch.float32)
        params.append(p)
    opt = getattr(torch.optim, spec["torch"])(params, foreach=foreach, **spec["options"])
    best = None
    for threads in sorted({os.cpu_count() or 1, 1}, reverse=True):
        torch.set_num_threads(threads)
        timing = measure(opt.step, job["budgetMs"], job["minReps"], job["maxReps"])
        if best is None or timing["best"] < best["best"]:
            best = {**timing, "threads": threads}
    return best


def newton_schulz(g, coefficients, steps, eps):
    """Muon's orthogonalization as torch.optim.Muon (2.9) runs it on a square matrix, but for
    X.T made contiguous: with Debian's generic BLAS that product is faster (605 against 878 ms at
    1024 x 1024 on one thread here)."""
    a, b, c = coefficients
    x = g / g.norm().clamp(min=eps)
    for _ in range(steps):
        gram = x @ x.T.contiguous()
        poly = b * gram + c * gram @ gram
        x = a * x + poly @ x
    return x


def muon(job):
    """Times the iteration on n x n float32 matrices, on one thread and on every core."""
    spec = job["muon"]
    gen = torch.Generator().manual_seed(0)
    results = []
    with torch.no_grad():
        for n in spec["sizes"]:
            g = torch.randn(n, n, generator=gen, dtype=torch.float32)
            step = lambda: newton_schulz(g, spec["coefficients"], spec["steps"], spec["eps"])
            for threads in sorted({os.cpu_count() or 1, 1}):
                torch.set_num_threads(threads)
                timing = measure(step, job["budgetMs"], job["minReps"], job["maxReps"])
                results.append({"size": n, "threads": threads, **timing})
    config = torch.__config__.show()
    blas = config.split("BLAS_INFO=", 1)[1].split(",", 1)[0] if "BLAS_INFO=" in config else "unknown"
    json.dump({"torch": torch.__version__, "threads": os.cpu_count() or 1, "blas": blas, "results": results},
              sys.stdout)


def main():
    job = json.load(sys.stdin)
    if "muon" in job:
        return muon(job)
    results = []
    with torch.no_grad():
        for spec in job["optimizers"]:
            for n in job["sizes"]:
                for foreach in (True, False):
                    timing = run(job, spec, [n], foreach)
                    results.append({"optimizer": spec["name"], "size": n, "foreach": foreach, **timing})
        many = job.get("manySmall")
        if many:
            spec = next(s for s in job["optimizers"] if s["name"] == "Adam")
            for foreach in (True, False):
                for sizes, label in (([many["size"]] * many["count"], "many"), ([many["total"]], "one")):
                    timing = run(job, spec, sizes, foreach)
                    results.append({"optimizer": "Adam", "size": many["total"], "layout": label,
                                    "foreach": foreach, **timing})
    json.dump({"torch": torch.__version__, "threads": os.cpu_count() or 1, "results": results}, sys.stdout)


main()
