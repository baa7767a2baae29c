"""Reference values of the four schedulers of Dive into Deep Learning's "Learning Rate Scheduling"
section, for src/schedules/book.ts.

The book's schedulers are stateful objects called once per epoch with the epoch t = 0, 1, 2, ...;
the classes of book_schedulers.py restate the book's code (its PyTorch/TensorFlow tabs; for
MultiFactorScheduler, MXNet's class, which its MXNet tab calls) and record what the object returns on each call, so the recursion of FactorScheduler and the stored value CosineScheduler
returns after max_update are evaluated as the book runs them, independently of descent's closed
forms. Options are descent's camelCase names of the book's arguments.
"""

from book_schedulers import CosineScheduler, FactorScheduler, MultiFactorScheduler, SquareRootScheduler
from common import write_fixture


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
    case("multi-factor from epoch 1, consecutive steps", "multiFactorScheduler",
         {"step": [1, 7, 8, 40], "factor": 0.3, "baseLr": 0.9}),
    case("multi-factor defaults", "multiFactorScheduler", {"step": [4]}),
    case("multi-factor to zero", "multiFactorScheduler", {"step": [2, 5], "factor": 0.0, "baseLr": 0.7}, steps=10),
    case("cosine, the book's plot", "cosineScheduler", {"maxUpdate": 20, "baseLr": 0.3, "finalLr": 0.01}),
    case("cosine with warmup, the book's plot", "cosineScheduler",
         {"maxUpdate": 20, "warmupSteps": 5, "baseLr": 0.3, "finalLr": 0.01}),
    case("cosine warmup from a nonzero rate", "cosineScheduler",
         {"maxUpdate": 37, "warmupSteps": 9, "baseLr": 0.8, "finalLr": 0.002, "warmupBeginLr": 0.05}),
    case("cosine defaults", "cosineScheduler", {"maxUpdate": 25}),
]

write_fixture("packages/descent/test/schedules/fixtures/book.json", cases, "scripts/reference/schedules_book.py")
