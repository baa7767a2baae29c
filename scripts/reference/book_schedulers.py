"""The schedulers of Dive into Deep Learning's "Learning Rate Scheduling" section (12.11), as the
book's code writes them (MultiFactorScheduler: MXNet's class, which the book's MXNet code calls):
stateful objects called once per epoch with t = 0, 1, 2, ... Shared by
schedules_book.py (reference fixtures for src/schedules/book.ts) and lab_book_values.py (the lab's
book values), so both evaluate the very same code.
"""

import math


class SquareRootScheduler:
    def __init__(self, lr=0.1):
        self.lr = lr

    def __call__(self, num_update):
        return self.lr * pow(num_update + 1.0, -0.5)


class FactorScheduler:
    def __init__(self, factor=1, stop_factor_lr=1e-7, base_lr=0.1):
        self.factor = factor
        self.stop_factor_lr = stop_factor_lr
        self.base_lr = base_lr

    def __call__(self, num_update):
        self.base_lr = max(self.stop_factor_lr, self.base_lr * self.factor)
        return self.base_lr


class MultiFactorScheduler:
    """The section's MXNet code calls mxnet.lr_scheduler.MultiFactorScheduler (its PyTorch code
    uses MultiStepLR instead); MXNet is not installed here, so this restates that class (warmup
    left out: the book uses none) with its defaults and checks. The rate drops on the call after
    each listed step (num_update > step[i]), one epoch later than MultiStepLR."""

    def __init__(self, step, factor=1, base_lr=0.01):
        if not (isinstance(step, list) and len(step) >= 1):
            raise ValueError("step must be a nonempty list")
        for i, s in enumerate(step):
            if i != 0 and s <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if s < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        if base_lr < 0:
            raise ValueError("Base lr has to be higher than warmup_begin_lr")
        self.step = step
        self.factor = factor
        self.base_lr = base_lr
        self.cur_step_ind = 0

    def __call__(self, num_update):
        while self.cur_step_ind < len(self.step):
            if num_update <= self.step[self.cur_step_ind]:
                break
            self.cur_step_ind += 1
            self.base_lr *= self.factor
        return self.base_lr


class CosineScheduler:
    def __init__(self, max_update, base_lr=0.01, final_lr=0, warmup_steps=0, warmup_begin_lr=0):
        self.base_lr_orig = base_lr
        self.max_update = max_update
        self.final_lr = final_lr
        self.warmup_steps = warmup_steps
        self.warmup_begin_lr = warmup_begin_lr
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
