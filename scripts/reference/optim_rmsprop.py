"""Reference trajectories for RMSprop (alpha, centered, momentum, weight decay, eps, maximize).

PyTorch 2.x updates the centered average with lerp_ where 1.13 uses mul_/add_; the two agree to
rounding, far inside the float64 tolerance.
"""

from common import both_dtypes, write_fixture

cases = []
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.01, **o}}]
cases += both_dtypes("plain", "RMSprop", one())
cases += both_dtypes("alpha", "RMSprop", one(alpha=0.6))
cases += both_dtypes("large eps", "RMSprop", one(eps=0.3))
cases += both_dtypes("momentum", "RMSprop", one(momentum=0.9))
cases += both_dtypes("centered", "RMSprop", one(centered=True))
cases += both_dtypes("centered momentum", "RMSprop", one(centered=True, momentum=0.8, alpha=0.9))
cases += both_dtypes("weight decay", "RMSprop", one(weightDecay=0.2))
cases += both_dtypes("maximize", "RMSprop", one(maximize=True))
cases += both_dtypes("everything", "RMSprop",
                     one(alpha=0.95, eps=1e-3, weightDecay=0.1, momentum=0.5, centered=True, maximize=True))
cases += both_dtypes("sparse", "RMSprop", one(centered=True, momentum=0.9), grads="sparse")
cases += both_dtypes("sign flipping", "RMSprop", one(momentum=0.9, alpha=0.8), grads="flip")
cases += both_dtypes("sign flipping centered", "RMSprop", one(centered=True, alpha=0.8), grads="flip")
cases += both_dtypes("scaled", "RMSprop", one(centered=True, weightDecay=0.01), grads="scaled")
cases += both_dtypes("groups", "RMSprop", [
    {"sizes": [4], "options": {"lr": 0.02, "momentum": 0.9, "centered": True}},
    {"sizes": [6, 2], "options": {"lr": 0.005, "alpha": 0.9, "weightDecay": 0.3, "maximize": True}},
])

write_fixture("packages/descent/test/optim/fixtures/rmsprop.json", cases, "scripts/reference/optim_rmsprop.py")
