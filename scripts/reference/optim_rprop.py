"""Reference trajectories for Rprop (etas, step-size clamping at both ends, maximize, sparse and
sign-flipping gradients), with its per-element step sizes and previous gradients."""

from common import both_dtypes, write_fixture

cases = []
state = ["prev", "stepSize"]
one = lambda **o: [{"sizes": [5, 3], "options": o}]
cases += both_dtypes("defaults", "Rprop", one(), state=state)
cases += both_dtypes("etas", "Rprop", one(lr=0.05, etas=[0.3, 1.5]), state=state)
# lr above the largest step size: PyTorch clamps the step sizes on the first step.
cases += both_dtypes("clamped above", "Rprop", one(lr=0.5, stepSizes=[1e-3, 0.2]), state=state)
cases += both_dtypes("clamped below", "Rprop", one(lr=0.01, etas=[0.2, 1.1], stepSizes=[1e-3, 1.0]),
                     grads="flip", state=state)
cases += both_dtypes("maximize", "Rprop", one(lr=0.02, etas=[0.4, 1.3], maximize=True), state=state)
cases += both_dtypes("sparse", "Rprop", one(lr=0.03), grads="sparse", state=state)
cases += both_dtypes("sign flipping", "Rprop", one(lr=0.03, maximize=True), grads="flip", state=state)
cases += both_dtypes("scaled", "Rprop", one(lr=0.1, stepSizes=[1e-4, 2.0]), grads="scaled", state=state)
cases += both_dtypes("groups", "Rprop", [
    {"sizes": [4], "options": {"lr": 0.1, "etas": [0.6, 1.4]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "stepSizes": [1e-3, 0.02], "maximize": True}},
], state=state)

write_fixture("packages/descent/test/optim/fixtures/rprop.json", cases, "scripts/reference/optim_rprop.py")
