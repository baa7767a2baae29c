"""Reference trajectories with optimizer state in bfloat16 and int8 (issue 14, spec14.md).

Writes packages/descent/test/optim/fixtures/state-dtype.json, cases in the format of
test/optim/reference.ts (ReferenceCase, dtype float32), every group's options carrying stateDtype
(and stochasticRounding, seed, min8bitSize where set).

What it evaluates:
- bfloat16 (nearest even, and stochastic with the spec's counter-based generator): Adam, AdamW
  and SGD with momentum, restated below (`adam`, `sgd`) as PyTorch 2.x's single-tensor steps with
  torch float32 ops (exp_avg by lerp_, as descent's kernels; checked against torch.optim of 1.13
  by crosscheck), each moment rounded right after it is computed and the update then using the
  rounded moment (spec14.md). The codecs: state_codecs.py.
- int8 (bitsandbytes' block-wise dynamic quantization, state_codecs.py): the same Adam, AdamW and
  SGD, and torch.optim's own Adagrad, RMSprop and Adamax of 1.13 (whose fixtures descent already
  follows): as the update uses the unquantized new moments, the state is decoded before the step
  into the float32 tensors the algorithm uses and encoded after it (then read back decoded, the
  value the next step starts from). Parameters below min8bitSize keep float32 state.

Recorded `state` per step, one list per tensor: bfloat16 moments as their decoded float32 values
(exact); int8 moments as codes under `<moment>` and absolute maxima under `<moment>Absmax`; float32
state (small parameters under int8, float32 groups) as values under `<moment>`, with `[]` under
`<moment>Absmax` when another tensor of the case has one. SGD with stochastic rounding also
records `step`, the count that keys its random numbers.

The case "int8 Adam default min8bitSize" has one 4100-element parameter (17 blocks) at the
default threshold; elsewhere min8bitSize is 256, where 255 elements keep float32 and 256 do not.

Robustness: descent computes a moment in float64 (TypeScript) or float32 (WebAssembly) arithmetic,
which may differ from torch's float32 ops by an ulp or so; a rounding or quantization decision
that close to its boundary would make the fixture fragile. Each case is therefore generated with
the first gradient seed (0, 1, ...) for which every decision of every step is unchanged when the
moment moves by 8 float32 ulps (bfloat16) or by 2^-20 of x = m / absmax (int8).
"""

import math
import sys

import numpy as np
import torch

from adam_family import crosscheck, decayed_grad, moments, update_moments
from common import DTYPES, make_grads, snake, torch_kwargs, values, write_fixture
from state_codecs import (MAPS, bf16_bits_array, decode_blocks, encode_blocks, float_to_bf16_rne, float_to_bf16_sr,
                          key, quantize_2d, random16, random16_array)

MARGIN_ULPS = 8
MARGIN_REL = np.float32(2.0**-20)

# The moments of each optimizer, in the order of spec14.md (`which`), with their map (signed).
MOMENTS = {
    "SGD": [("momentum_buffer", True)],
    "Adagrad": [("sum", False)],
    "RMSprop": [("square_avg", False), ("momentum_buffer", True), ("grad_avg", True)],
    "Adam": [("exp_avg", True), ("exp_avg_sq", False), ("max_exp_avg_sq", False)],
    "AdamW": [("exp_avg", True), ("exp_avg_sq", False), ("max_exp_avg_sq", False)],
    "Adamax": [("exp_avg", True), ("exp_inf", False)],
}


def camel(name):
    return "".join(w if i == 0 else w.capitalize() for i, w in enumerate(name.split("_")))


def adam(p, grad, state, group, store):
    """PyTorch 2.x Adam / AdamW on one parameter (as optim_adam.py's adam_update), with `store(key)`
    called after each moment is computed: the moment is then what its storage reads back."""
    beta1, beta2 = group["betas"]
    t = moments(p, state)
    g = decayed_grad(p, grad, group)
    update_moments(g, state, beta1, beta2)
    store("exp_avg")
    store("exp_avg_sq")
    v = state["exp_avg_sq"]
    if group["amsgrad"]:
        peak = state.setdefault("max_exp_avg_sq", torch.zeros_like(p))
        torch.maximum(peak, v, out=peak)
        store("max_exp_avg_sq")
        v = peak
    denom = (v.sqrt() / math.sqrt(1 - beta2**t)).add_(group["eps"])
    p.addcdiv_(state["exp_avg"], denom, value=-group["lr"] / (1 - beta1**t))


def sgd(p, grad, state, group, store):
    """torch.optim.SGD's single-tensor step (1.13 = 2.x) on one parameter with momentum, with
    `store` after the buffer is computed (the first step's buffer is the gradient itself)."""
    d = -grad if group["maximize"] else grad
    if group["weight_decay"] != 0:
        d = d.add(p, alpha=group["weight_decay"])
    if "momentum_buffer" not in state:
        state["momentum_buffer"] = torch.clone(d).detach()
    else:
        state["momentum_buffer"].mul_(group["momentum"]).add_(d, alpha=1 - group["dampening"])
    store("momentum_buffer")
    buf = state["momentum_buffer"]
    d = d.add(buf, alpha=group["momentum"]) if group["nesterov"] else buf
    p.add_(d, alpha=-group["lr"])


UPDATES = {
    "Adam": (adam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
                        decoupled_weight_decay=False)),
    "AdamW": (adam, dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False,
                         decoupled_weight_decay=True)),
    "SGD": (sgd, dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False)),
}
no_store = lambda key: None
crosscheck("Adam", [{"sizes": [5, 3], "options": {"lr": 0.05, "amsgrad": True, "weightDecay": 0.1, "maximize": True}}],
           lambda p, g, s, group: adam(p, g, s, group, no_store), UPDATES["Adam"][1], grads="flip")
crosscheck("AdamW", [{"sizes": [5, 3], "options": {"lr": 0.05, "weightDecay": 0.3}}],
           lambda p, g, s, group: adam(p, g, s, group, no_store), UPDATES["AdamW"][1])
crosscheck("SGD", [{"sizes": [5, 3], "options": {"lr": 0.05, "momentum": 0.9, "dampening": 0.2, "weightDecay": 0.1,
                                                  "maximize": True}}],
           lambda p, g, s, group: sgd(p, g, s, group, no_store), UPDATES["SGD"][1])
crosscheck("SGD", [{"sizes": [5, 3], "options": {"lr": 0.05, "momentum": 0.8, "nesterov": True}}],
           lambda p, g, s, group: sgd(p, g, s, group, no_store), UPDATES["SGD"][1])


class LowPrecision:
    """Steps `optimizer` (an update above, or torch.optim's class of that name) on param groups
    with PyTorch's snake_case options plus state_dtype, stochastic_rounding, seed, min8bit_size;
    counts the decisions too close to their boundary in `fragile`."""

    def __init__(self, groups, optimizer):
        self.name = optimizer
        if optimizer in UPDATES:
            self.update, defaults = UPDATES[optimizer]
            self.opt = torch.optim.Optimizer(groups, defaults)
        else:
            self.update = None
            self.opt = getattr(torch.optim, optimizer)(groups, foreach=False)
        self.moments = MOMENTS[optimizer]
        self.params = [p for g in self.opt.param_groups for p in g["params"]]
        self.steps = {p: 0 for p in self.params}
        self.stored = {p: {} for p in self.params}  # int8: key -> (codes, absmax)
        self.fragile = 0

    def mode(self, group, p):
        dtype = group.get("state_dtype")
        if dtype == "int8" and p.numel() < group.get("min8bit_size", 4096):
            return "float32"
        return dtype or "float32"

    def round_bf16(self, p, group, stream, name):
        """Stores moment `name` of p in bfloat16 (in place: the update reads it back rounded)."""
        which = [n for n, _ in self.moments].index(name)
        m = self.state(p)[name]
        u = m.reshape(-1).numpy().view(np.uint32).astype(np.uint64)
        r = None
        if group.get("stochastic_rounding", False):
            r = random16_array(key(group.get("seed", 0), stream, self.steps[p], which), u.size)
        h = bf16_bits_array(u, r)
        # Fragility: the decision at 8 ulps either side (same sign; both rules are monotone in u).
        mag, sign = u & 0x7FFFFFFF, u & 0x80000000
        lo = sign | np.where(mag > MARGIN_ULPS, mag - MARGIN_ULPS, 0)
        hi = sign | np.minimum(mag + MARGIN_ULPS, 0x7F7FFFFF)
        self.fragile += int(((bf16_bits_array(lo, r) != h) | (bf16_bits_array(hi, r) != h)).sum())
        m.copy_(torch.from_numpy((h << 16).astype(np.uint32).view(np.float32).copy()).reshape(m.shape))

    def encode_int8(self, p, name, signed):
        """Encodes moment `name` of p block-wise and reads it back decoded."""
        m = self.state(p)[name]
        flat = m.reshape(-1).numpy().astype(np.float32)
        codes, absmax = encode_blocks(flat, signed)
        self.stored[p][name] = (codes, absmax)
        code = MAPS[signed]
        for j, v in enumerate(flat):
            a = absmax[j // 256]
            if a == 0 or not np.isfinite(a):
                continue
            x = np.float32(v / a)
            near = [quantize_2d(code, np.float32(x * (1 + s * MARGIN_REL)), signed) for s in (-1, 1)]
            if signed:
                near = [c if math.copysign(1, code[c]) == math.copysign(1, v) else c + (1 if v > 0 else -1)
                        for c in near]
            self.fragile += int(any(c != codes[j] for c in near))
        m.copy_(torch.from_numpy(decode_blocks(codes, absmax, signed)).reshape(m.shape))

    def state(self, p):
        return self.opt.state[p]

    @torch.no_grad()
    def step(self):
        for p in self.params:
            self.steps[p] += 1
        if self.update is not None:
            stream = 0
            for group in self.opt.param_groups:
                for p in group["params"]:
                    bf16 = self.mode(group, p) == "bfloat16"
                    store = (lambda name, p=p, group=group, stream=stream: self.round_bf16(p, group, stream, name)) \
                        if bf16 else no_store
                    self.update(p, p.grad, self.state(p), group, store)
                    stream += 1
        else:
            assert all(self.mode(g, p) != "bfloat16" for g in self.opt.param_groups for p in g["params"])
            self.opt.step()
        for group in self.opt.param_groups:
            for p in group["params"]:
                if self.mode(group, p) == "int8":
                    for name, signed in self.moments:
                        if name in self.state(p):
                            self.encode_int8(p, name, signed)

    def record(self):
        """The state after a step, by camelCase key, one list per tensor."""
        out = {}
        for i, p in enumerate(self.params):
            group = next(g for g in self.opt.param_groups if any(q is p for q in g["params"]))
            for name, _ in self.moments:
                if name not in self.state(p):
                    continue
                k = camel(name)
                if self.mode(group, p) == "int8":
                    codes, absmax = self.stored[p][name]
                    out.setdefault(k, {})[i] = [int(c) for c in codes]
                    out.setdefault(k + "Absmax", {})[i] = [float(a) for a in absmax]
                else:
                    out.setdefault(k, {})[i] = values(self.state(p)[name])
            if self.name == "SGD" and group.get("stochastic_rounding", False):
                out.setdefault("step", {})[i] = [self.steps[p]]
        return {k: [v.get(i, []) for i in range(len(self.params))] for k, v in out.items()}


def run(name, optimizer, groups, steps, grads, seed):
    """common.run_case's parameters and gradients (float32), stepped by LowPrecision."""
    gen = torch.Generator().manual_seed(seed)
    torch_groups, descent_groups, tensors = [], [], []
    for group in groups:
        shapes = [list(n) if isinstance(n, (list, tuple)) else [n] for n in group["sizes"]]
        params = [torch.randn(math.prod(s), generator=gen, dtype=torch.float64).reshape(s).to(torch.float32)
                  for s in shapes]
        tensors.extend(params)
        torch_groups.append({"params": params, **torch_kwargs(group["options"])})
        entry = {"params": [values(p) for p in params], "options": group["options"]}
        if any(isinstance(n, (list, tuple)) for n in group["sizes"]):
            entry["shapes"] = shapes
        descent_groups.append(entry)
    opt = LowPrecision(torch_groups, optimizer)
    record = []
    for t in range(steps):
        gs = make_grads(gen, [p.numel() for p in tensors], "float32", grads, t)
        for p, g in zip(tensors, gs):
            p.grad = g.clone().reshape(p.shape)
        opt.step()
        record.append({"grads": [values(g) for g in gs], "params": [values(p) for p in tensors],
                       "state": opt.record()})
    case = {"name": name, "optimizer": optimizer, "dtype": "float32", "groups": descent_groups, "steps": record}
    return case, opt.fragile


def case(name, optimizer, groups, steps=8, grads="dense"):
    """The case with the first gradient seed whose decisions all keep their margin."""
    for seed in range(200):
        c, fragile = run(name, optimizer, groups, steps, grads, seed)
        if fragile == 0:
            print(f"{name}: gradient seed {seed}", file=sys.stderr)
            return c
    raise AssertionError(f"{name}: no seed below 200 without fragile decisions")


def replay_in_double(cases):
    """Replays the Adam, AdamW and SGD cases as descent's TypeScript kernels compute (src/kernels/
    adam.ts, sgd.ts: double arithmetic, float32 stores, the moment rounded as it is stored), with
    the scalar codecs of state_codecs.py: every stored bfloat16 and int8 state must come out bit
    for bit and the parameters within 1e-6, which shows that the fixture does not hang on torch's
    float32 rounding. (float32 state is left to the tests' tolerance.)"""
    f32 = lambda x: float(np.float32(x))
    bf16 = lambda h: float(np.array([h << 16], dtype=np.uint32).view(np.float32)[0])
    lerp = lambda s, e, w: s + w * (e - s) if abs(w) < 0.5 else e - (e - s) * (1 - w)
    defaults = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "amsgrad": False, "maximize": False, "momentum": 0,
                "dampening": 0, "nesterov": False}
    worst, checked = 0.0, 0
    for c in cases:
        if c["optimizer"] not in UPDATES:
            continue
        names = [camel(n) for n, _ in MOMENTS[c["optimizer"]]]
        signed = {camel(n): s for n, s in MOMENTS[c["optimizer"]]}
        adamw = c["optimizer"] == "AdamW"
        options = [{**defaults, "weightDecay": 0.01 if adamw else 0, **g["options"]} for g in c["groups"]
                   for _ in g["params"]]
        params = [[f32(v) for v in p] for g in c["groups"] for p in g["params"]]
        states = [{} for _ in params]
        for t, record in enumerate(c["steps"]):
            for i, (p, o, s) in enumerate(zip(params, options, states)):
                mode = o.get("stateDtype") or "float32"
                if mode == "int8" and len(p) < o.get("min8bitSize", 4096):
                    mode = "float32"

                def store(name, vals):
                    if mode != "bfloat16":
                        return [f32(v) for v in vals]
                    k = key(o.get("seed", 0), i, t + 1, names.index(name))
                    u = [int(b) for b in np.array(vals, dtype=np.float32).view(np.uint32)]
                    if o.get("stochasticRounding", False):
                        return [bf16(float_to_bf16_sr(x, random16(k, j))) for j, x in enumerate(u)]
                    return [bf16(float_to_bf16_rne(x)) for x in u]

                g, sign = record["grads"][i], -1 if o["maximize"] else 1
                if c["optimizer"] == "SGD":
                    d = [sign * gj + o["weightDecay"] * pj for gj, pj in zip(g, p)]
                    b = d if "momentumBuffer" not in s else [
                        o["momentum"] * bj + (1 - o["dampening"]) * dj for bj, dj in zip(s["momentumBuffer"], d)]
                    s["momentumBuffer"] = b = store("momentumBuffer", b)
                    step = [dj + o["momentum"] * bj for dj, bj in zip(d, b)] if o["nesterov"] else b
                    new = [pj - o["lr"] * u for pj, u in zip(p, step)]
                else:
                    beta1, beta2 = o["betas"]
                    decoupled = o.get("decoupledWeightDecay", adamw)
                    x = [pj * (1 - o["lr"] * o["weightDecay"] if decoupled else 1) for pj in p]
                    d = [sign * gj + (0 if decoupled else o["weightDecay"]) * xj for gj, xj in zip(g, x)]
                    m = s["expAvg"] = store("expAvg", [lerp(mj, dj, 1 - beta1)
                                                       for mj, dj in zip(s.get("expAvg", [0.0] * len(p)), d)])
                    v = s["expAvgSq"] = store("expAvgSq", [beta2 * vj + (1 - beta2) * dj * dj
                                                           for vj, dj in zip(s.get("expAvgSq", [0.0] * len(p)), d)])
                    if o["amsgrad"]:
                        v = s["maxExpAvgSq"] = store("maxExpAvgSq", [max(a, b) for a, b in zip(
                            s.get("maxExpAvgSq", [0.0] * len(p)), v)])
                    size, root = o["lr"] / (1 - beta1 ** (t + 1)), math.sqrt(1 - beta2 ** (t + 1))
                    new = [xj - size * mj / (math.sqrt(vj) / root + o["eps"]) for xj, mj, vj in zip(x, m, v)]
                params[i] = [f32(v) for v in new]
                for name in names:
                    if name in s and mode == "int8":
                        codes, absmax = encode_blocks(np.array(s[name], dtype=np.float32), signed[name])
                        assert [int(q) for q in codes] == record["state"][name][i], (c["name"], t, i, name)
                        s[name] = [float(v) for v in decode_blocks(codes, absmax, signed[name])]
                    elif name in s and mode == "bfloat16":
                        assert s[name] == record["state"][name][i], (c["name"], t, i, name)
                expected = record["params"][i]
                rms = math.sqrt(sum(v * v for v in expected) / len(expected))
                worst = max(worst, max(abs(a - b) / max(abs(b), rms) for a, b in zip(params[i], expected)))
        checked += 1
    assert worst <= 1e-6, worst
    print(f"replayed {checked} cases in double arithmetic: stored state bit for bit, parameters within "
          f"{worst:.2g} relative", file=sys.stderr)

cases = []

# bfloat16: nearest even and stochastic (two seeds).
BF16 = [{"stateDtype": "bfloat16"},
        {"stateDtype": "bfloat16", "stochasticRounding": True, "seed": 0},
        {"stateDtype": "bfloat16", "stochasticRounding": True, "seed": 12345}]


def label(o):
    return "bfloat16 " + (f"stochastic seed {o['seed']}" if o.get("stochasticRounding") else "nearest even")


two = lambda o, **opts: [{"sizes": [5, 3], "options": {"lr": 0.05, **opts, **o}},
                         {"sizes": [7], "options": {"lr": 0.02, **opts, **o}}]
for o in BF16:
    cases.append(case(f"Adam {label(o)}", "Adam", two(o)))
    cases.append(case(f"Adam amsgrad {label(o)}", "Adam", two(o, amsgrad=True, betas=[0.8, 0.9])))
    cases.append(case(f"Adam weight decay maximize {label(o)}", "Adam", two(o, weightDecay=0.1, maximize=True),
                      grads="flip"))
    cases.append(case(f"AdamW {label(o)}", "AdamW", two(o, weightDecay=0.3)))
    cases.append(case(f"AdamW amsgrad scaled {label(o)}", "AdamW", two(o, weightDecay=0.1, amsgrad=True),
                      grads="scaled"))
    cases.append(case(f"SGD momentum {label(o)}", "SGD", two(o, momentum=0.9)))
    cases.append(case(f"SGD dampening weight decay {label(o)}", "SGD",
                      two(o, momentum=0.9, dampening=0.3, weightDecay=0.1)))
    cases.append(case(f"SGD nesterov maximize {label(o)}", "SGD", two(o, momentum=0.8, nesterov=True, maximize=True),
                      grads="flip"))

# int8: 600 and 300 elements (blocks of 256 and a short last one); 255, just below min8bitSize,
# keeps float32 state.
I8 = {"stateDtype": "int8", "min8bitSize": 256}
big = lambda **opts: [{"sizes": [[20, 30], 300], "options": {"lr": 0.01, **opts, **I8}}]
small = lambda **opts: [{"sizes": [[20, 30], 300, 255], "options": {"lr": 0.01, **opts, **I8}}]
cases.append(case("int8 Adam", "Adam", small(), steps=3))
cases.append(case("int8 Adam amsgrad weight decay maximize", "Adam", big(amsgrad=True, weightDecay=0.1, maximize=True),
                  steps=3, grads="flip"))
cases.append(case("int8 AdamW", "AdamW", big(weightDecay=0.1), steps=3))
cases.append(case("int8 AdamW sparse", "AdamW", big(weightDecay=0.1, betas=[0.8, 0.95]), steps=3, grads="sparse"))
cases.append(case("int8 SGD momentum", "SGD", small(momentum=0.9), steps=3))
cases.append(case("int8 SGD nesterov weight decay maximize", "SGD",
                  big(momentum=0.9, nesterov=True, weightDecay=0.05, maximize=True), steps=3))
cases.append(case("int8 SGD dampening scaled", "SGD", big(momentum=0.9, dampening=0.5), steps=3, grads="scaled"))
cases.append(case("int8 Adagrad", "Adagrad", big(lr=0.1, weightDecay=0.1), steps=3))
# Not centered: int8 state breaks v >= m^2 (v and m are quantized apart) and the step turns NaN,
# so descent refuses centered RMSprop with int8 state, as bitsandbytes' RMSprop8bit does.
cases.append(case("int8 RMSprop momentum", "RMSprop", big(momentum=0.5, alpha=0.9), steps=3))
cases.append(case("int8 Adamax", "Adamax", big(lr=0.02, weightDecay=0.1), steps=3))
# The default threshold: 4100 elements are int8 (17 blocks, the last of 4).
cases.append(case("int8 Adam default min8bitSize", "Adam",
                  [{"sizes": [4100], "options": {"lr": 0.01, "stateDtype": "int8"}}], steps=2))

# Several groups with different state dtypes in one optimizer, several tensors per group.
cases.append(case("groups of every state dtype Adam", "Adam", [
    {"sizes": [256, 255], "options": {"lr": 0.01, "stateDtype": "int8", "min8bitSize": 256}},
    {"sizes": [[5, 3], 7], "options": {"lr": 0.05, "stateDtype": "bfloat16"}},
    {"sizes": [9, 4], "options": {"lr": 0.03, "stateDtype": "bfloat16", "stochasticRounding": True, "seed": 7,
                                  "amsgrad": True}},
    {"sizes": [6], "options": {"lr": 0.02, "stateDtype": "float32"}},
    {"sizes": [5], "options": {"lr": 0.02}},
], steps=5))
cases.append(case("groups of every state dtype SGD", "SGD", [
    {"sizes": [300, 10], "options": {"lr": 0.01, "momentum": 0.9, "stateDtype": "int8", "min8bitSize": 256}},
    {"sizes": [8, 3], "options": {"lr": 0.05, "momentum": 0.8, "stateDtype": "bfloat16", "stochasticRounding": True,
                                  "seed": 3}},
    {"sizes": [5], "options": {"lr": 0.05, "momentum": 0.5, "stateDtype": "bfloat16"}},
    {"sizes": [4], "options": {"lr": 0.05, "momentum": 0.5, "stateDtype": "float32"}},
], steps=5))

replay_in_double(cases)
write_fixture("packages/descent/test/optim/fixtures/state-dtype.json", cases,
              "scripts/reference/optim_state_dtype.py")
