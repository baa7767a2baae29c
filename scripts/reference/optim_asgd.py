"""Reference trajectories for ASGD (decay, eta schedule, weight decay, maximize, averaging), with
its state: the average `ax` is recorded after every step, as the parameters do not reveal it.

PyTorch keeps eta and mu as 0-d tensors of the default dtype (float32) whatever the parameters'
dtype, which the float64 cases detect: a learning rate of 0.1 is used as float32(0.1).
"""

from common import both_dtypes, write_fixture

cases = []
state = ["eta", "mu", "ax"]
one = lambda **o: [{"sizes": [5, 3], "options": o}]
cases += both_dtypes("defaults", "ASGD", one(), state=state)
cases += both_dtypes("eta schedule", "ASGD", one(lr=0.1, lambd=0.05, alpha=0.6), state=state)
cases += both_dtypes("weight decay", "ASGD", one(lr=0.1, weightDecay=0.2), state=state)
cases += both_dtypes("maximize", "ASGD", one(lr=0.1, lambd=0.01, weightDecay=0.05, maximize=True), state=state)
# mu = 1 / max(1, t - t0), set at the end of step t, weighs the next step's average: with t0 = 3 the
# average departs from the parameters at step 6; t0 = 2.5 gives mu = 1 / 1.5, 1 / 2.5, ... (inexact
# in float32).
cases += both_dtypes("averaging", "ASGD", one(lr=0.1, lambd=0.001, t0=3), state=state)
cases += both_dtypes("averaging fractional t0", "ASGD", one(lr=0.3, t0=2.5, alpha=1.0), state=state)
cases += both_dtypes("averaging sparse", "ASGD", one(lr=0.05, t0=0, weightDecay=0.1), grads="sparse", state=state)
cases += both_dtypes("zero alpha and lambd", "ASGD", one(lr=0.2, lambd=0, alpha=0, t0=1), grads="flip", state=state)
cases += both_dtypes("groups", "ASGD", [
    {"sizes": [4], "options": {"lr": 0.1, "t0": 4}},
    {"sizes": [6, 2], "options": {"lr": 0.02, "lambd": 0.1, "weightDecay": 0.3, "maximize": True}},
], state=state)

write_fixture("packages/descent/test/optim/fixtures/asgd.json", cases, "scripts/reference/optim_asgd.py")
