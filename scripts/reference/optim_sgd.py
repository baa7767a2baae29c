"""Reference trajectories for SGD (plain, momentum, dampening, Nesterov, weight decay, maximize)."""

from common import both_dtypes, write_fixture

cases = []
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.05, **o}}]
cases += both_dtypes("plain", "SGD", one())
cases += both_dtypes("momentum", "SGD", one(momentum=0.9))
cases += both_dtypes("momentum dampening", "SGD", one(momentum=0.9, dampening=0.3))
cases += both_dtypes("nesterov", "SGD", one(momentum=0.8, nesterov=True))
cases += both_dtypes("weight decay", "SGD", one(momentum=0.5, weightDecay=0.1))
cases += both_dtypes("maximize", "SGD", one(momentum=0.9, weightDecay=0.01, maximize=True))
cases += both_dtypes("nesterov maximize decay", "SGD", one(momentum=0.7, nesterov=True, weightDecay=0.05, maximize=True))
cases += both_dtypes("sparse", "SGD", one(momentum=0.9), grads="sparse")
cases += both_dtypes("sign flipping", "SGD", one(momentum=0.9, nesterov=True), grads="flip")
cases += both_dtypes("groups", "SGD", [
    {"sizes": [4], "options": {"lr": 0.1, "momentum": 0.9}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "weightDecay": 0.2, "nesterov": True, "momentum": 0.5}},
])

write_fixture("packages/descent/test/optim/fixtures/sgd.json", cases, "scripts/reference/optim_sgd.py")
