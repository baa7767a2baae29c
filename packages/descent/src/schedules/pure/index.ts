export { type OneCycleOptions, oneCycle, type SgdrOptions, sgdr } from './cyclic.js';
export * from './decay.js';
export * from './piecewise.js';
export {
  interpolate,
  type Schedule,
  type Shape,
  schedule,
  shapes,
  transition,
} from './schedule.js';
export * from './warmup.js';
