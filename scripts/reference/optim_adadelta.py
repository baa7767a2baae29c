"""Reference trajectories for Adadelta (rho, eps, lr, weight decay, maximize)."""

from common import both_dtypes, write_fixture

cases = []
one = lambda **o: [{"sizes": [5, 3], "options": o}]
cases += both_dtypes("plain", "Adadelta", one())
cases += both_dtypes("rho", "Adadelta", one(rho=0.5))
# rho 1 is allowed: the averages stay zero and every step is lr·g.
cases += both_dtypes("rho one", "Adadelta", one(rho=1.0, lr=0.1))
cases += both_dtypes("rho zero", "Adadelta", one(rho=0.0))
cases += both_dtypes("large eps", "Adadelta", one(eps=1e-2))
cases += both_dtypes("lr", "Adadelta", one(lr=0.3))
cases += both_dtypes("weight decay", "Adadelta", one(weightDecay=0.2))
cases += both_dtypes("maximize", "Adadelta", one(maximize=True))
cases += both_dtypes("everything", "Adadelta", one(lr=2.0, rho=0.8, eps=1e-4, weightDecay=0.1, maximize=True))
cases += both_dtypes("sparse", "Adadelta", one(eps=1e-3), grads="sparse")
cases += both_dtypes("sign flipping", "Adadelta", one(rho=0.7, eps=1e-3), grads="flip")
cases += both_dtypes("scaled", "Adadelta", one(weightDecay=0.01), grads="scaled")
cases += both_dtypes("groups", "Adadelta", [
    {"sizes": [4], "options": {"lr": 0.5, "rho": 0.95}},
    {"sizes": [6, 2], "options": {"eps": 1e-4, "weightDecay": 0.3, "maximize": True}},
])

write_fixture("packages/descent/test/optim/fixtures/adadelta.json", cases, "scripts/reference/optim_adadelta.py")
