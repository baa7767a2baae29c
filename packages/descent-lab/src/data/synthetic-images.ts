import { createRandom, type Random } from '../lab/random.js';
import type { ImageSet } from './fashion-mnist.js';

/**
 * A synthetic stand-in for Fashion-MNIST, generated in code from a seed (no file, no network):
 * 28 × 28 grey images in ten classes, for `descent compare --task synthetic` and the tests on a
 * machine without the data set. Each class has a prototype, a few soft blobs at random places;
 * an image is its class's prototype blended with another class's (by a weight up to `blend`),
 * dimmed or brightened, with noise on every pixel. The blending makes some images ambiguous, so
 * that a classifier does not reach 100% and differences between optimizers show; the noise makes
 * no two images alike.
 */

export interface SyntheticImagesOptions {
  /** Draws the prototypes and every image. */
  seed: number;
  /** Images of the training and of the test split. */
  train: number;
  test: number;
  /** The largest weight of the other class's prototype in an image (default 0.45; below 0.5). */
  blend?: number;
  /** The standard deviation of each pixel's (uniform) noise, on the scale of [0, 1] (default 0.5). */
  noise?: number;
}

const side = 28;
const classes = 10;
const blobsPerClass = 4;

/** A class's prototype: `blobsPerClass` Gaussian blobs of random place, width and height, peak 1. */
function prototype(random: Random): Float32Array {
  const image = new Float32Array(side * side);
  for (let b = 0; b < blobsPerClass; b++) {
    const [cy, cx] = [4 + 20 * random.uniform(), 4 + 20 * random.uniform()];
    const width = 2 + 3 * random.uniform();
    const height = 0.5 + 0.5 * random.uniform();
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const r2 = (y - cy) ** 2 + (x - cx) ** 2;
        image[y * side + x] += height * Math.exp(-r2 / (2 * width * width));
      }
    }
  }
  const peak = image.reduce((a, b) => Math.max(a, b), 0);
  return image.map((v) => v / peak);
}

function split(
  count: number,
  prototypes: Float32Array[],
  random: Random,
  blend: number,
  noise: number,
): ImageSet {
  const images = new Uint8Array(count * side * side);
  const labels = new Uint8Array(count);
  // Uniform noise of that standard deviation: normals (Box–Muller) took 4 times as long.
  const spread = noise * Math.sqrt(3);
  for (let i = 0; i < count; i++) {
    // Classes in turn, so that every split is balanced.
    const label = i % classes;
    const other = (label + 1 + Math.floor(random.uniform() * (classes - 1))) % classes;
    const weight = blend * random.uniform();
    const brightness = 0.7 + 0.3 * random.uniform();
    const [own, mixed] = [prototypes[label], prototypes[other]];
    for (let p = 0; p < side * side; p++) {
      const value =
        brightness * ((1 - weight) * own[p] + weight * mixed[p]) +
        spread * (2 * random.uniform() - 1);
      images[i * side * side + p] = Math.round(255 * Math.min(1, Math.max(0, value)));
    }
    labels[i] = label;
  }
  return { images, labels, count, rows: side, cols: side };
}

/** The two splits, the same for the same options on every machine. */
export function syntheticImages(options: SyntheticImagesOptions): {
  train: ImageSet;
  test: ImageSet;
} {
  const { seed, train, test, blend = 0.45, noise = 0.5 } = options;
  const random = createRandom(seed, 'synthetic-images');
  const prototypes = Array.from({ length: classes }, () => prototype(random));
  return {
    train: split(train, prototypes, random, blend, noise),
    test: split(test, prototypes, random, blend, noise),
  };
}
