import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syntheticImages } from '../../src/data/synthetic-images.js';

/** A digest of pixels, to compare images by: deep equality of large arrays is slow. */
const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('syntheticImages', () => {
  it('gives the same images and labels for the same seed, other ones for another', () => {
    const a = syntheticImages({ seed: 3, train: 50, test: 20 });
    const b = syntheticImages({ seed: 3, train: 50, test: 20 });
    const c = syntheticImages({ seed: 4, train: 50, test: 20 });
    expect(digest(b.train.images)).toBe(digest(a.train.images));
    expect(digest(b.test.images)).toBe(digest(a.test.images));
    expect(digest(c.train.images)).not.toBe(digest(a.train.images));
  });

  it('lays out 28 × 28 images of ten balanced classes, as Fashion-MNIST is read', () => {
    const { train, test } = syntheticImages({ seed: 0, train: 100, test: 30 });
    expect([train.count, train.rows, train.cols, train.images.length]).toEqual([
      100, 28, 28, 78_400,
    ]);
    expect([test.count, test.images.length, test.labels.length]).toEqual([30, 23_520, 30]);
    const counts = new Array(10).fill(0);
    for (const label of train.labels) counts[label] += 1;
    expect(counts).toEqual(new Array(10).fill(10));
  });

  it('differs from image to image, also within a class (the noise and the blending)', () => {
    const { train } = syntheticImages({ seed: 0, train: 20, test: 1 });
    const image = (i: number) => train.images.subarray(i * 784, (i + 1) * 784);
    // Images 0 and 10 are both of class 0.
    expect(train.labels[10]).toBe(train.labels[0]);
    expect(image(10)).not.toEqual(image(0));
    const distinct = new Set(image(0));
    expect(distinct.size).toBeGreaterThan(50);
  });

  it('is learnable: the mean image of a class is nearer its own test images than the others', () => {
    const { train, test } = syntheticImages({ seed: 1, train: 1000, test: 200 });
    const means = Array.from({ length: 10 }, () => new Float64Array(784));
    for (let i = 0; i < train.count; i++) {
      for (let p = 0; p < 784; p++) means[train.labels[i]][p] += train.images[i * 784 + p] / 100;
    }
    let correct = 0;
    for (let i = 0; i < test.count; i++) {
      const distance = (mean: Float64Array) =>
        mean.reduce((sum, m, p) => sum + (m - test.images[i * 784 + p]) ** 2, 0);
      const nearest = means.reduce(
        (best, mean, k) => (distance(mean) < distance(means[best]) ? k : best),
        0,
      );
      if (nearest === test.labels[i]) correct += 1;
    }
    // Well above chance (10%), and short of perfect: some images are ambiguous by design.
    expect(correct / test.count).toBeGreaterThan(0.5);
    expect(correct / test.count).toBeLessThan(0.99);
  });
});
