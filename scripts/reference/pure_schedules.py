"""Reference values of every pure schedule of src/schedules/pure/ at every step, for
test/schedules/pure-reference.test.ts.

A case names a schedule, its options (descent's names; `join` and `warmup` take inner schedules as
{"schedule", "options"} specs) and the reference's value at steps 0, 1, ..., n − 1, with n past
the schedule's end. Nothing here calls descent: each value comes from one of

- "torch ...": PyTorch's scheduler that the schedule corresponds to, attached to a one-parameter
  SGD and stepped as in training (the value at t is the group's lr after t scheduler steps);
  where PyTorch's scheduler goes on beyond the schedule's end (CosineAnnealingLR rises again,
  OneCycleLR stops), the case says which value the schedule holds from there;
- "optax ...": the definition of the Optax schedule of that name (optax/schedules/_schedule.py,
  _join.py) restated in plain Python float64, options mapped to Optax's (e.g. alpha = end/init);
- "formula": the formula of the schedule's doc comment in plain Python float64, for schedules and
  settings that neither has (shapes other than linear and cosine, SGDR with a real period
  multiplier or a decay, warmup-stable-decay, inverse square root). SGDR's cycle boundaries are
  located in exact rational arithmetic, periodSteps and periodMultiplier taken as the decimals
  they are written as (1.1 as 11/10), so a boundary that is an integer for the options as
  written is one (periodSteps 3 with periodMultiplier 1.8 restarts at step 3, 5 with 1.2 at 11).

Two places where descent's documented definition differs from Optax's are evaluated as descent
documents them and say so: exponentialDecay with decayRate 0 (Optax returns initValue forever)
and with decayRate 1 (Optax clips with min instead of max); neither is in a case that cites Optax.

"exact": true marks cases whose values are picked, not computed (constants, piecewise constant):
the test requires them to the bit.
"""

import bisect
import math
import warnings
from fractions import Fraction

import torch
from torch.optim import lr_scheduler

from common import write_fixture

warnings.filterwarnings("ignore")  # PyTorch's deprecation notes


# ---------------------------------------------------------------------------------------------
# PyTorch


def torch_values(make, lr, steps, read="lr"):
    """The group's `read` (lr or momentum) after 0, 1, ..., steps − 1 scheduler steps."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    sched = make(opt)
    out = []
    for t in range(steps):
        out.append(float(opt.param_groups[0][read]))
        if t < steps - 1:
            opt.step()
            sched.step()
    return out


# ---------------------------------------------------------------------------------------------
# Optax's definitions (optax/schedules/_schedule.py, _join.py), jnp replaced by math


def optax_constant_schedule(value):
    return lambda count: value


def optax_polynomial_schedule(init_value, end_value, power, transition_steps, transition_begin=0):
    def schedule(count):
        count = min(max(count - transition_begin, 0), transition_steps)
        frac = 1 - count / transition_steps
        return (init_value - end_value) * (frac**power) + end_value
    return schedule


def optax_linear_schedule(init_value, end_value, transition_steps, transition_begin=0):
    if transition_steps <= 0:
        return lambda count: init_value
    return optax_polynomial_schedule(init_value, end_value, 1, transition_steps, transition_begin)


def optax_exponential_decay(init_value, transition_steps, decay_rate, transition_begin=0,
                            staircase=False, end_value=None):
    assert transition_steps > 0 and 0 < decay_rate < 1  # the settings that agree with descent
    def schedule(count):
        decreased_count = count - transition_begin
        p = decreased_count / transition_steps
        if staircase:
            p = math.floor(p)
        value = init_value if decreased_count <= 0 else init_value * decay_rate**p
        return value if end_value is None else max(value, end_value)
    return schedule


def optax_cosine_decay_schedule(init_value, decay_steps, alpha=0.0, exponent=1.0):
    def schedule(count):
        count = min(float(count), float(decay_steps))
        cosine_decay = 0.5 * (1 + math.cos(math.pi * count / decay_steps))
        decayed = (1 - alpha) * cosine_decay**exponent + alpha
        return init_value * decayed
    return schedule


def optax_join_schedules(schedules, boundaries):
    def schedule(step):
        output = schedules[0](step)
        for boundary, s in zip(boundaries, schedules[1:]):
            output = output if step < boundary else s(step - boundary)
        return output
    return schedule


def optax_warmup_cosine_decay_schedule(init_value, peak_value, warmup_steps, decay_steps,
                                       end_value=0.0, exponent=1.0):
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    schedules = [
        optax_linear_schedule(init_value, peak_value, warmup_steps),
        optax_cosine_decay_schedule(peak_value, decay_steps - warmup_steps, alpha, exponent),
    ]
    return optax_join_schedules(schedules, [warmup_steps])


# ---------------------------------------------------------------------------------------------
# descent's documented formulas (the doc comments of src/schedules/pure/), where neither applies


def curve(shape, start, end, f):
    """src/schedules/pure/schedule.ts's `Shape`: from `start` at f = 0 to `end` at f = 1."""
    f = min(max(f, 0.0), 1.0)
    if f == 0.0:
        return start
    if f == 1.0:
        return end
    if shape == "linear":
        return start + (end - start) * f
    if shape == "cosine":
        return end + (start - end) / 2 * (1 + math.cos(math.pi * f))
    if shape == "exponential":
        return start * (end / start) ** f
    if shape == "1-sqrt":
        return end + (start - end) * (1 - math.sqrt(f))
    raise ValueError(shape)


def formula_exponential_decay(o):
    init, rate = o["initValue"], o["decayRate"]
    period, staircase = o.get("transitionSteps", 1), o.get("staircase", False)
    floor = o.get("endValue", 0.0)
    def schedule(t):
        p = math.floor(t / period) if staircase else t / period
        return max(floor, init * rate**p)
    return schedule


def formula_inverse_sqrt(o):
    init, tau = o["initValue"], o.get("timescale", 1)
    return lambda t: init / math.sqrt(1 + t / tau)


def formula_piecewise_constant(o):
    values, boundaries = o["values"], o["boundaries"]
    return lambda t: values[sum(1 for b in boundaries if b <= t)]


def formula_piecewise_interpolated(o):
    values, knots, shape = o["values"], o["boundaries"], o.get("shape", "linear")
    def schedule(t):
        if t <= knots[0]:
            return values[0]
        if t >= knots[-1]:
            return values[-1]
        i = bisect.bisect_right(knots, t) - 1
        return curve(shape, values[i], values[i + 1], (t - knots[i]) / (knots[i + 1] - knots[i]))
    return schedule


def decimal(x):
    """The rational a number's shortest decimal spells: 1.1 -> 11/10 (not the double's value)."""
    return Fraction(repr(x)) if isinstance(x, float) else Fraction(x)


def formula_sgdr(o):
    """Cycle i lasts T0·m^i and starts at T0·(m^i − 1)/(m − 1), its top end + (init − end)·d^i."""
    init, end = o["initValue"], o.get("endValue", 0.0)
    T0, m = decimal(o["periodSteps"]), decimal(o.get("periodMultiplier", 1))
    d = o.get("decay", 1)
    def schedule(t):
        i, start, length = 0, Fraction(0), T0
        while start + length <= t:
            start, length, i = start + length, length * m, i + 1
        top = end + (init - end) * d**i
        return end + (top - end) * (1 + math.cos(math.pi * float((t - start) / length))) / 2
    return schedule


def one_cycle_phases(total, pct, three_phase):
    """PyTorch's OneCycleLR phase ends, with the corner each phase goes from and to."""
    if three_phase:
        return [(pct * total - 1, "init", "peak"), (2 * pct * total - 2, "peak", "init"),
                (total - 1, "init", "end")]
    return [(pct * total - 1, "init", "peak"), (total - 1, "peak", "end")]


def formula_one_cycle(o):
    peak, total = o["peakValue"], o["totalSteps"]
    init = o.get("initValue", peak / 25)
    end = o.get("endValue", init / 1e4)
    corners = {"init": init, "peak": peak, "end": end}
    phases = one_cycle_phases(total, o.get("pctStart", 0.3), o.get("threePhase", False))
    shape = o.get("shape", "cosine")
    def schedule(t):
        start = 0
        for phase_end, a, b in phases:
            if t <= phase_end:
                return curve(shape, corners[a], corners[b], (t - start) / (phase_end - start))
            start = phase_end
        return end
    return schedule


def formula_warmup_stable_decay(o):
    init, peak, end = o.get("initValue", 0.0), o["peakValue"], o.get("endValue", 0.0)
    w, d, total = o["warmupSteps"], o["decaySteps"], o["totalSteps"]
    up, down = o.get("warmupShape", "linear"), o.get("decayShape", "linear")
    cooldown_start = total - d
    def schedule(t):
        if t < w:
            return curve(up, init, peak, t / w)
        if t < cooldown_start:
            return peak
        return curve(down, peak, end, (t - cooldown_start) / d)
    return schedule


# ---------------------------------------------------------------------------------------------
# Each schedule's reference, by the name descent exports it under


def optax_of(name, o):
    """The Optax schedule that `name` with options `o` is, as a Python function of the step."""
    if name == "constantSchedule":
        return optax_constant_schedule(o["value"])
    if name == "linearSchedule":
        return optax_linear_schedule(o["initValue"], o["endValue"], o["steps"])
    if name == "polynomialSchedule":
        return optax_polynomial_schedule(o["initValue"], o["endValue"], o.get("power", 1), o["steps"])
    if name == "exponentialDecay":
        return optax_exponential_decay(o["initValue"], o.get("transitionSteps", 1), o["decayRate"],
                                       staircase=o.get("staircase", False),
                                       end_value=o.get("endValue", 0.0))
    if name == "cosineDecay":
        init, end = o["initValue"], o.get("endValue", 0.0)
        return optax_cosine_decay_schedule(init, o["steps"], alpha=end / init)
    if name == "warmupCosineDecay":
        return optax_warmup_cosine_decay_schedule(o.get("initValue", 0.0), o["peakValue"],
                                                  o["warmupSteps"], o["totalSteps"],
                                                  o.get("endValue", 0.0))
    if name == "join":
        return optax_join_schedules([reference_of(s)[0] for s in o["schedules"]], o["boundaries"])
    if name == "warmup":
        after, _ = reference_of(o["schedule"])
        assert o.get("shape", "linear") == "linear"
        ramp = optax_linear_schedule(o.get("initValue", 0.0), after(0), o["steps"])
        return optax_join_schedules([ramp, after], [o["steps"]])
    raise KeyError(name)


FORMULAS = {
    "exponentialDecay": formula_exponential_decay,
    "inverseSqrtDecay": formula_inverse_sqrt,
    "piecewiseConstant": formula_piecewise_constant,
    "piecewiseInterpolated": formula_piecewise_interpolated,
    "sgdr": formula_sgdr,
    "oneCycle": formula_one_cycle,
    "warmupStableDecay": formula_warmup_stable_decay,
}


def warmup_formula(o):
    after, _ = reference_of(o["schedule"])
    w, init, shape = o["steps"], o.get("initValue", 0.0), o.get("shape", "linear")
    peak = after(0)
    return lambda t: curve(shape, init, peak, t / w) if t < w else after(t - w)


def reference_of(spec, source=None):
    """(function of the step, description) for a spec; `source` forces "optax" or "formula"."""
    name, o = spec["schedule"], spec["options"]
    if source == "formula" or (source is None and name not in OPTAX_NAMED):
        if name == "warmup":
            return warmup_formula(o), "formula"
        return FORMULAS[name](o), "formula"
    return optax_of(name, o), OPTAX_NAMED[name]


OPTAX_NAMED = {
    "constantSchedule": "optax constant_schedule",
    "linearSchedule": "optax linear_schedule",
    "polynomialSchedule": "optax polynomial_schedule",
    "exponentialDecay": "optax exponential_decay",
    "cosineDecay": "optax cosine_decay_schedule (alpha = endValue / initValue)",
    "warmupCosineDecay": "optax warmup_cosine_decay_schedule (decay_steps = totalSteps)",
    "join": "optax join_schedules",
    "warmup": "optax join_schedules of a linear_schedule and the schedule",
}


# ---------------------------------------------------------------------------------------------
# Cases


cases = []


def spec(name, /, **options):
    return {"schedule": name, "options": options}


def case(name, schedule, options, steps, source=None, exact=False):
    """A case whose reference is Optax's definition or the formula."""
    fn, reference = reference_of({"schedule": schedule, "options": options}, source)
    entry = {"name": name, "schedule": schedule, "options": options, "reference": reference,
             "values": [float(fn(t)) for t in range(steps)]}
    if exact:
        entry["exact"] = True
    cases.append(entry)


def torch_case(name, schedule, options, steps, make, lr, reference, read="lr", hold=None):
    """A case whose reference is a PyTorch scheduler; from step `hold[0]` on, the value hold[1]."""
    values = torch_values(make, lr, steps if hold is None else hold[0], read)
    if hold is not None:
        values += [hold[1]] * (steps - hold[0])
        reference += f", then {hold[1]!r} held from step {hold[0]}"
    cases.append({"name": name, "schedule": schedule, "options": options, "reference": reference,
                  "values": values})


L = lr_scheduler

# constantSchedule
case("constant", "constantSchedule", {"value": 0.1}, 5, exact=True)
case("constant negative", "constantSchedule", {"value": -2.5e-3}, 5, exact=True)

# linearSchedule
torch_case("linear decay", "linearSchedule", {"initValue": 0.1, "endValue": 0.01, "steps": 20}, 30,
           lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20), 0.1,
           "torch LinearLR (startFactor 1, endFactor endValue/initValue)")
torch_case("linear warmup", "linearSchedule", {"initValue": 0.02, "endValue": 0.1, "steps": 15}, 25,
           lambda o: L.LinearLR(o, start_factor=0.2, end_factor=1.0, total_iters=15), 0.1,
           "torch LinearLR (startFactor initValue/endValue, endFactor 1)")
case("linear through zero", "linearSchedule", {"initValue": 1.0, "endValue": -0.5, "steps": 7}, 12)
case("linear one step", "linearSchedule", {"initValue": 3.0, "endValue": 1.0, "steps": 1}, 4)

# polynomialSchedule: power 1, 2, 0.5, 3 with a nonzero end
torch_case("polynomial power 2 to zero", "polynomialSchedule",
           {"initValue": 0.1, "endValue": 0.0, "steps": 20, "power": 2.0}, 30,
           lambda o: L.PolynomialLR(o, total_iters=20, power=2.0), 0.1, "torch PolynomialLR")
torch_case("polynomial power 0.5 to zero", "polynomialSchedule",
           {"initValue": 0.05, "endValue": 0.0, "steps": 13, "power": 0.5}, 20,
           lambda o: L.PolynomialLR(o, total_iters=13, power=0.5), 0.05, "torch PolynomialLR")
case("polynomial power 2", "polynomialSchedule",
     {"initValue": 1.0, "endValue": 0.1, "steps": 25, "power": 2.0}, 32)
case("polynomial power 3 rising", "polynomialSchedule",
     {"initValue": 0.01, "endValue": 0.3, "steps": 16, "power": 3.0}, 22)
case("polynomial power 0.7", "polynomialSchedule",
     {"initValue": 2.0, "endValue": -1.0, "steps": 30, "power": 0.7}, 36)
case("polynomial default power", "polynomialSchedule", {"initValue": 0.5, "endValue": 0.05, "steps": 9}, 14)

# exponentialDecay: continuous and staircase, integer and fractional periods, with a floor
torch_case("exponential continuous", "exponentialDecay", {"initValue": 0.1, "decayRate": 0.93}, 80,
           lambda o: L.ExponentialLR(o, gamma=0.93), 0.1, "torch ExponentialLR")
torch_case("exponential staircase", "exponentialDecay",
           {"initValue": 0.1, "decayRate": 0.5, "transitionSteps": 7, "staircase": True}, 60,
           lambda o: L.StepLR(o, step_size=7, gamma=0.5), 0.1, "torch StepLR")
case("exponential continuous over a period", "exponentialDecay",
     {"initValue": 0.1, "decayRate": 0.5, "transitionSteps": 7}, 60)
case("exponential staircase false", "exponentialDecay",
     {"initValue": 0.8, "decayRate": 0.3, "transitionSteps": 4, "staircase": False}, 40)
case("exponential staircase fractional period", "exponentialDecay",
     {"initValue": 0.8, "decayRate": 0.3, "transitionSteps": 2.5, "staircase": True}, 40)
case("exponential floor", "exponentialDecay",
     {"initValue": 1.0, "decayRate": 0.8, "transitionSteps": 3, "endValue": 0.05}, 60)
case("exponential staircase floor", "exponentialDecay",
     {"initValue": 1.0, "decayRate": 0.6, "transitionSteps": 5, "staircase": True, "endValue": 0.03},
     60)
case("exponential floor above the start", "exponentialDecay",
     {"initValue": 0.01, "decayRate": 0.9, "endValue": 0.02}, 5)
case("exponential rate 0", "exponentialDecay",
     {"initValue": 0.4, "decayRate": 0.0, "transitionSteps": 3, "staircase": True}, 10,
     source="formula")
case("exponential rate 1", "exponentialDecay", {"initValue": 0.4, "decayRate": 1.0}, 10,
     source="formula")

# cosineDecay: PyTorch up to TMax (then the end value holds), Optax's definition past the end
torch_case("cosine", "cosineDecay", {"initValue": 0.1, "steps": 40}, 50,
           lambda o: L.CosineAnnealingLR(o, T_max=40), 0.1, "torch CosineAnnealingLR",
           hold=(41, 0.0))
torch_case("cosine to a floor", "cosineDecay", {"initValue": 0.1, "endValue": 0.001, "steps": 17}, 30,
           lambda o: L.CosineAnnealingLR(o, T_max=17, eta_min=0.001), 0.1,
           "torch CosineAnnealingLR", hold=(18, 0.001))
case("cosine Optax", "cosineDecay", {"initValue": 1.0, "endValue": 0.05, "steps": 30}, 40)
case("cosine rising", "cosineDecay", {"initValue": 0.01, "endValue": 0.5, "steps": 11}, 16)
case("cosine negative end", "cosineDecay", {"initValue": 2.0, "endValue": -1.0, "steps": 9}, 14)

# inverseSqrtDecay
case("inverse sqrt", "inverseSqrtDecay", {"initValue": 0.1}, 50)
case("inverse sqrt timescale", "inverseSqrtDecay", {"initValue": 0.5, "timescale": 16}, 80)
case("inverse sqrt fractional timescale", "inverseSqrtDecay", {"initValue": 2.0, "timescale": 2.5}, 40)

# piecewiseConstant
case("piecewise constant", "piecewiseConstant",
     {"values": [0.1, 0.05, 0.01, 0.001], "boundaries": [10, 20, 35]}, 45, exact=True)
case("piecewise constant from 0", "piecewiseConstant",
     {"values": [9.0, 0.3, 0.2], "boundaries": [0, 1]}, 5, exact=True)
case("piecewise constant rising", "piecewiseConstant",
     {"values": [0.001, 0.01, 0.1], "boundaries": [3, 8]}, 12, exact=True)
case("piecewise constant no boundaries", "piecewiseConstant", {"values": [0.7], "boundaries": []}, 3,
     exact=True)

# piecewiseInterpolated: every shape, knots not at 0
for shape in ["linear", "cosine", "exponential", "1-sqrt"]:
    case(f"piecewise interpolated {shape}", "piecewiseInterpolated",
         {"values": [0.02, 0.1, 0.1, 0.004, 0.01], "boundaries": [4, 10, 14, 30, 33], "shape": shape}, 40)
case("piecewise interpolated default shape from 0", "piecewiseInterpolated",
     {"values": [1.0, -1.0, 0.5], "boundaries": [0, 9, 12]}, 16)
case("piecewise interpolated one knot", "piecewiseInterpolated", {"values": [0.3], "boundaries": [5]}, 8)

# join
case("join", "join", {
    "schedules": [spec("linearSchedule", initValue=0.0, endValue=1.0, steps=10),
                  spec("constantSchedule", value=1.0),
                  spec("cosineDecay", initValue=1.0, endValue=0.1, steps=20)],
    "boundaries": [10, 15]}, 45)
case("join at 0 and discontinuous", "join", {
    "schedules": [spec("constantSchedule", value=5.0),
                  spec("exponentialDecay", initValue=0.3, decayRate=0.9, transitionSteps=2,
                       staircase=True),
                  spec("polynomialSchedule", initValue=0.7, endValue=0.2, steps=6, power=2.0)],
    "boundaries": [0, 12]}, 25)

# warmup
case("warmup linear before cosine", "warmup", {
    "schedule": spec("cosineDecay", initValue=0.1, endValue=0.0, steps=20), "steps": 5}, 30)
case("warmup linear from a start", "warmup", {
    "schedule": spec("exponentialDecay", initValue=0.5, decayRate=0.8), "steps": 8, "initValue": 0.05,
    "shape": "linear"}, 25)
for shape in ["cosine", "exponential", "1-sqrt"]:
    case(f"warmup {shape}", "warmup", {
        "schedule": spec("inverseSqrtDecay", initValue=0.4, timescale=6), "steps": 6,
        "initValue": 0.01, "shape": shape}, 20, source="formula")
case("warmup zero steps", "warmup", {
    "schedule": spec("linearSchedule", initValue=0.3, endValue=0.1, steps=4), "steps": 0}, 8)

# warmupCosineDecay
case("warmup cosine", "warmupCosineDecay", {"peakValue": 0.1, "warmupSteps": 5, "totalSteps": 30}, 40)
case("warmup cosine all options", "warmupCosineDecay",
     {"initValue": 0.01, "peakValue": 0.5, "endValue": 0.02, "warmupSteps": 9, "totalSteps": 37}, 45)
case("warmup cosine no warmup", "warmupCosineDecay",
     {"peakValue": 0.2, "endValue": 0.01, "warmupSteps": 0, "totalSteps": 12}, 16)
torch_case("warmup cosine against PyTorch", "warmupCosineDecay",
           {"initValue": 0.02, "peakValue": 0.1, "warmupSteps": 5, "totalSteps": 25}, 31,
           lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.2, total_iters=5),
                                        L.CosineAnnealingLR(o, T_max=20)], milestones=[5]), 0.1,
           "torch SequentialLR(LinearLR, CosineAnnealingLR)", hold=(26, 0.0))

# warmupStableDecay
case("wsd", "warmupStableDecay", {"peakValue": 0.1, "warmupSteps": 5, "decaySteps": 10,
                                  "totalSteps": 30}, 36)
case("wsd 1-sqrt cooldown", "warmupStableDecay",
     {"initValue": 0.001, "peakValue": 0.3, "endValue": 0.003, "warmupSteps": 6, "decaySteps": 12,
      "totalSteps": 40, "warmupShape": "cosine", "decayShape": "1-sqrt"}, 46)
case("wsd exponential", "warmupStableDecay",
     {"initValue": 0.001, "peakValue": 0.3, "endValue": 0.003, "warmupSteps": 4, "decaySteps": 8,
      "totalSteps": 20, "warmupShape": "exponential", "decayShape": "exponential"}, 25)
case("wsd without a stable phase", "warmupStableDecay",
     {"peakValue": 1.0, "endValue": 0.1, "warmupSteps": 3, "decaySteps": 7, "totalSteps": 10,
      "decayShape": "cosine"}, 14)
case("wsd without warmup", "warmupStableDecay",
     {"peakValue": 1.0, "warmupSteps": 0, "decaySteps": 4, "totalSteps": 9}, 12)

# sgdr
torch_case("sgdr", "sgdr", {"initValue": 0.1, "periodSteps": 10}, 45,
           lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10), 0.1, "torch CosineAnnealingWarmRestarts")
torch_case("sgdr doubling", "sgdr",
           {"initValue": 0.1, "endValue": 0.002, "periodSteps": 6, "periodMultiplier": 2}, 100,
           lambda o: L.CosineAnnealingWarmRestarts(o, T_0=6, T_mult=2, eta_min=0.002), 0.1,
           "torch CosineAnnealingWarmRestarts")
torch_case("sgdr tripling", "sgdr", {"initValue": 0.3, "periodSteps": 2, "periodMultiplier": 3}, 60,
           lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=3), 0.3,
           "torch CosineAnnealingWarmRestarts")
case("sgdr decay", "sgdr", {"initValue": 1.0, "endValue": 0.1, "periodSteps": 8, "decay": 0.5}, 50)
case("sgdr real multiplier", "sgdr",
     {"initValue": 0.5, "endValue": 0.01, "periodSteps": 4, "periodMultiplier": 1.5}, 80)
case("sgdr real multiplier and decay", "sgdr",
     {"initValue": 0.5, "periodSteps": 3.5, "periodMultiplier": 1.25, "decay": 0.8}, 80)
case("sgdr multiplier 1.1", "sgdr", {"initValue": 0.1, "periodSteps": 10, "periodMultiplier": 1.1}, 120)
case("sgdr restarting at periodSteps", "sgdr", {"initValue": 0.1, "periodSteps": 3, "periodMultiplier": 1.8},
     40)
case("sgdr integer second restart", "sgdr", {"initValue": 0.1, "periodSteps": 5, "periodMultiplier": 1.2}, 40)
case("sgdr period 0.7", "sgdr", {"initValue": 0.1, "endValue": 0.01, "periodSteps": 0.7}, 30)
case("sgdr fractional period", "sgdr", {"initValue": 0.2, "periodSteps": 2.5}, 30)

# oneCycle: PyTorch for cosine and linear (the rate, and momentum going down first)
def one_cycle(opt, total, **kwargs):
    return L.OneCycleLR(opt, total_steps=total, cycle_momentum=False, **kwargs)

torch_case("one-cycle", "oneCycle", {"peakValue": 0.1, "totalSteps": 50}, 60,
           lambda o: one_cycle(o, 50, max_lr=0.1), 0.1, "torch OneCycleLR", hold=(50, 0.1 / 25 / 1e4))
torch_case("one-cycle linear", "oneCycle",
           {"peakValue": 0.05, "totalSteps": 40, "pctStart": 0.25, "initValue": 0.005,
            "endValue": 5e-5, "shape": "linear"}, 48,
           lambda o: one_cycle(o, 40, max_lr=0.05, pct_start=0.25, div_factor=10.0,
                               final_div_factor=100.0, anneal_strategy="linear"), 0.1,
           "torch OneCycleLR", hold=(40, 5e-5))
torch_case("one-cycle three phase", "oneCycle",
           {"peakValue": 0.02, "totalSteps": 36, "pctStart": 0.4, "threePhase": True}, 44,
           lambda o: one_cycle(o, 36, max_lr=0.02, pct_start=0.4, three_phase=True), 0.1,
           "torch OneCycleLR", hold=(36, 0.02 / 25 / 1e4))
torch_case("one-cycle linear three phase", "oneCycle",
           {"peakValue": 0.3, "totalSteps": 30, "initValue": 0.03, "endValue": 0.0003,
            "threePhase": True, "shape": "linear"}, 36,
           lambda o: one_cycle(o, 30, max_lr=0.3, div_factor=10.0, final_div_factor=100.0,
                               three_phase=True, anneal_strategy="linear"), 0.1,
           "torch OneCycleLR", hold=(30, 0.0003))
torch_case("one-cycle momentum", "oneCycle",
           {"initValue": 0.95, "peakValue": 0.85, "endValue": 0.95, "totalSteps": 30}, 36,
           lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=30), 0.1,
           "torch OneCycleLR momentum", read="momentum", hold=(30, 0.95))
torch_case("one-cycle momentum three phase", "oneCycle",
           {"initValue": 0.9, "peakValue": 0.7, "endValue": 0.9, "totalSteps": 24, "pctStart": 0.35,
            "threePhase": True}, 30,
           lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=24, pct_start=0.35, three_phase=True,
                                  base_momentum=0.7, max_momentum=0.9), 0.1,
           "torch OneCycleLR momentum", read="momentum", hold=(24, 0.9))
for shape in ["exponential", "1-sqrt"]:
    case(f"one-cycle {shape}", "oneCycle",
         {"peakValue": 0.1, "totalSteps": 40, "pctStart": 0.2, "shape": shape}, 45)
    case(f"one-cycle {shape} three phase", "oneCycle",
         {"peakValue": 0.5, "totalSteps": 33, "initValue": 0.01, "endValue": 0.001,
          "threePhase": True, "shape": shape}, 38)

write_fixture("packages/descent/test/schedules/fixtures/pure.json", cases, "scripts/reference/pure_schedules.py")
