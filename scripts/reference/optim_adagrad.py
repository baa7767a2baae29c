"""Reference trajectories for Adagrad (lr decay, weight decay, initial accumulator, eps, maximize).

PyTorch fills every accumulator from the constructor's initial_accumulator_value and ignores a
group's own, so that option goes to the constructor (`defaults=`); the "groups" case gives each
group a different one to record that PyTorch ignores it.
"""

from common import both_dtypes, write_fixture

cases = []
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.1, **o}}]
cases += both_dtypes("plain", "Adagrad", one())
cases += both_dtypes("lr decay", "Adagrad", one(lrDecay=0.3))
cases += both_dtypes("weight decay", "Adagrad", one(weightDecay=0.2))
cases += both_dtypes("initial accumulator", "Adagrad", one(), defaults={"initialAccumulatorValue": 0.7})
cases += both_dtypes("large eps", "Adagrad", one(eps=0.5))
cases += both_dtypes("maximize", "Adagrad", one(maximize=True))
cases += both_dtypes("everything", "Adagrad", one(lrDecay=0.05, weightDecay=0.1, eps=1e-3, maximize=True),
                     defaults={"initialAccumulatorValue": 0.2})
cases += both_dtypes("sparse", "Adagrad", one(), grads="sparse")
cases += both_dtypes("sparse with accumulator", "Adagrad", one(lrDecay=0.1), grads="sparse",
                     defaults={"initialAccumulatorValue": 0.05})
cases += both_dtypes("sign flipping", "Adagrad", one(weightDecay=0.05), grads="flip")
cases += both_dtypes("scaled", "Adagrad", one(lrDecay=0.01), grads="scaled")
cases += both_dtypes("groups", "Adagrad", [
    {"sizes": [4], "options": {"lr": 0.2, "lrDecay": 0.1, "initialAccumulatorValue": 5.0}},
    {"sizes": [6, 2], "options": {"lr": 0.05, "weightDecay": 0.3, "eps": 1e-2, "maximize": True}},
], defaults={"initialAccumulatorValue": 0.4})

write_fixture("packages/descent/test/optim/fixtures/adagrad.json", cases, "scripts/reference/optim_adagrad.py")
