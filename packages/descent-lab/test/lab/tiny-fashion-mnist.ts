import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fashionMnistFiles } from '../../src/data/fashion-mnist.js';
import { createRandom } from '../../src/lab/random.js';

function idx(shape: number[], values: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  for (const [d, n] of shape.entries()) view.setUint32(4 + 4 * d, n);
  out.set(values, 4 + 4 * shape.length);
  return out;
}

/**
 * A tiny Fashion-MNIST look-alike: 28 × 28 images of two classes, a bright top half (class 0)
 * or a bright bottom half (class 7), with noise; 512 training and 128 test images. The four gzipped
 * IDX files go in `dir`; `seed` draws the noise.
 */
export function writeTinySet(dir: string, seed = 1): void {
  const random = createRandom(seed, 'tiny');
  const split = (count: number) => {
    const images = new Uint8Array(count * 784);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const top = i % 2 === 0;
      labels[i] = top ? 0 : 7;
      for (let p = 0; p < 784; p++) {
        const bright = p < 392 === top;
        images[i * 784 + p] = Math.floor((bright ? 150 : 0) + 100 * random.uniform());
      }
    }
    return { images, labels };
  };
  const train = split(512);
  const test = split(128);
  const files: [string, Uint8Array][] = [
    [fashionMnistFiles.trainImages, idx([512, 28, 28], train.images)],
    [fashionMnistFiles.trainLabels, idx([512], train.labels)],
    [fashionMnistFiles.testImages, idx([128, 28, 28], test.images)],
    [fashionMnistFiles.testLabels, idx([128], test.labels)],
  ];
  for (const [name, bytes] of files) writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
}
