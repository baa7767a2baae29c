import type { Section } from '../types.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam } from './adam.js';
import { convexity } from './convexity.js';
import { gradientDescent } from './gradient-descent.js';
import { lrScheduling } from './lr-scheduling.js';
import { minibatchSgd } from './minibatch-sgd.js';
import { momentum } from './momentum.js';
import { optimizationAndDeepLearning } from './optimization-and-deep-learning.js';
import { rmsprop } from './rmsprop.js';
import { stochasticGradientDescent } from './stochastic-gradient-descent.js';

/** The chapter's sections in order, each with its experiments. */
export const sections: Section[] = [
  optimizationAndDeepLearning,
  convexity,
  gradientDescent,
  stochasticGradientDescent,
  minibatchSgd,
  momentum,
  adagrad,
  rmsprop,
  adadelta,
  adam,
  lrScheduling,
];
