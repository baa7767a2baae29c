"""Reference trajectories for Adamax (betas, eps, weight decay, maximize).

PyTorch 2.x updates exp_avg with lerp_ and exp_inf with torch.maximum where 1.13 uses mul_/add_
and amax over a stack; the two agree to rounding, far inside the float64 tolerance.
"""

from common import both_dtypes, write_fixture

cases = []
one = lambda **o: [{"sizes": [5, 3], "options": {"lr": 0.02, **o}}]
cases += both_dtypes("plain", "Adamax", one())
cases += both_dtypes("betas", "Adamax", one(betas=[0.5, 0.8]))
# beta1 0: no first moment and no bias correction; beta2 0: u_t = |g_t| + eps.
cases += both_dtypes("betas zero", "Adamax", one(betas=[0.0, 0.0]))
cases += both_dtypes("large eps", "Adamax", one(eps=0.5))
cases += both_dtypes("weight decay", "Adamax", one(weightDecay=0.2))
cases += both_dtypes("maximize", "Adamax", one(maximize=True))
cases += both_dtypes("everything", "Adamax", one(betas=[0.8, 0.9], eps=1e-3, weightDecay=0.1, maximize=True))
cases += both_dtypes("sparse", "Adamax", one(betas=[0.9, 0.5]), grads="sparse")
cases += both_dtypes("sign flipping", "Adamax", one(betas=[0.9, 0.7]), grads="flip")
cases += both_dtypes("scaled", "Adamax", one(weightDecay=0.01), grads="scaled")
cases += both_dtypes("groups", "Adamax", [
    {"sizes": [4], "options": {"lr": 0.05, "betas": [0.7, 0.9]}},
    {"sizes": [6, 2], "options": {"lr": 0.01, "eps": 1e-2, "weightDecay": 0.3, "maximize": True}},
])

write_fixture("packages/descent/test/optim/fixtures/adamax.json", cases, "scripts/reference/optim_adamax.py")
