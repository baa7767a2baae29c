"""Reference values of the four schedulers of Dive into Deep Learning's "Learning Rate Scheduling"
section, for src/schedules/book.ts.

The book's schedulers are stateful objects called once per epoch with the epoch t = 0, 1, 2, ...;
the classes below restate the book's code (its PyTorch/TensorFlow tabs) and record what the object
returns on each call, so the recursion of FactorScheduler and the stored value CosineScheduler
returns after max_update are evaluated as the book runs them, independently of descent's closed
forms. Options are descent's camelCase names of the book's arguments.
"""

import math

from common import write_fixture


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr

    def __call__(self, num_update):
        return self.lr * pow(num_update + 1.0, -0.5)


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor, self.stop_factor_lr, self.base_lr = factor, stop_factor_lr, base_lr

    def __call__(self, num_update):
        self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
        return self.base_lr


class MultiFactorScheduler:
    def __init__(self, step, factor, base_lr):
        self.step, self.factor, self.base_lr = step, factor, base_lr

    def __call__(self, epoch):
        if epoch in self.step:
            self.base_lr = self.base_lr * self.factor
        return self.base_lr


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig, self.max_update, self.final_lr = base_lr, max_update, final_lr
        self.warmup_steps, self.warmup_begin_lr = warmup_steps, warmup_begin_lr
        self.max_steps = self.max_update - self.warmup_steps

    def get_warmup_lr(self, epoch):
        increase = (self.base_lr_orig - self.warmup_begin_lr) * float(epoch) / float(self.warmup_steps)
        return self.warmup_begin_lr + increase

    def __call__(self, epoch):
        if epoch < self.warmup_steps:
            return self.get_warmup_lr(epoch)
        if epoch <= self.max_update:
            self.base_lr = self.final_lr + (self.base_lr_orig - self.final_lr) * (
                1 + math.cos(math.pi * (epoch - self.warmup_steps) / self.max_steps)) / 2
        return self.base_lr


BOOK = {
    "squareRootScheduler": (SquareRootScheduler, {"lr": "lr"}),
    "factorScheduler": (FactorScheduler,
                        {"factor": "factor", "stopFactorLr": "stop_factor_lr", "baseLr": "base_lr"}),
    "multiFactorScheduler": (MultiFactorScheduler, {"step": "step", "factor": "factor", "baseLr": "base_lr"}),
    "cosineScheduler": (CosineScheduler, {"maxUpdate": "max_update", "baseLr": "base_lr", "finalLr": "final_lr",
                                          "warmupSteps": "warmup_steps", "warmupBeginLr": "warmup_begin_lr"}),
}


def case(name, scheduler, options, steps=60):
    cls, names = BOOK[scheduler]
    book = cls(**{names[k]: v for k, v in options.items()})
    return {"name": name, "scheduler": scheduler, "options": options,
            "values": [float(book(t)) for t in range(steps)]}


cases = [
    case("square root, the book's plot", "squareRootScheduler", {"lr": 1.0}),
    case("square root defaults", "squareRootScheduler", {}),
    case("factor, the book's plot", "factorScheduler", {"factor": 0.9, "stopFactorLr": 1e-2, "baseLr": 2.0}),
    case("factor defaults", "factorScheduler", {}),
    case("factor hitting the floor at once", "factorScheduler", {"factor": 0.5, "stopFactorLr": 0.3, "baseLr": 0.2}),
    case("factor slow decay", "factorScheduler", {"factor": 0.99, "stopFactorLr": 1e-3, "baseLr": 0.5}, steps=400),
    case("multi-factor, the book's plot", "multiFactorScheduler", {"step": [15, 30], "factor": 0.5, "baseLr": 0.5}),
    case("multi-factor from epoch 0", "multiFactorScheduler", {"step": [0, 7, 8, 40], "factor": 0.3, "baseLr": 0.9}),
    case("cosine, the book's plot", "cosineScheduler", {"maxUpdate": 20, "baseLr": 0.3, "finalLr": 0.01}),
    case("cosine with warmup, the book's plot", "cosineScheduler",
         {"maxUpdate": 20, "warmupSteps": 5, "baseLr": 0.3, "finalLr": 0.01}),
    case("cosine warmup from a nonzero rate", "cosineScheduler",
         {"maxUpdate": 37, "warmupSteps": 9, "baseLr": 0.8, "finalLr": 0.002, "warmupBeginLr": 0.05}),
    case("cosine defaults", "cosineScheduler", {"maxUpdate": 25}),
]

write_fixture("test/schedules/fixtures/book.json", cases, "scripts/reference/schedules_book.py")
