import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FashionMnistError,
  fashionMnistFiles,
  findFashionMnist,
  loadFashionMnist,
  parseIdx,
  readIdx,
} from '../../src/data/fashion-mnist.js';

/** An IDX file of unsigned bytes with the given dimensions and values. */
function idx(shape: number[], values: ArrayLike<number>, type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * shape.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = shape.length;
  for (const [d, n] of shape.entries()) view.setUint32(4 + 4 * d, n);
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Array.from(values), header.length);
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding a tiny data set: 3 training and 2 test images of 2 × 4 pixels. */
function tinySet({ gzip = false } = {}): { dir: string; trainImages: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fashion-'));
  dirs.push(dir);
  const trainImages = Array.from({ length: 3 * 8 }, (_, i) => (i * 37) % 256);
  const files: [string, Uint8Array][] = [
    [fashionMnistFiles.trainImages, idx([3, 2, 4], trainImages)],
    [fashionMnistFiles.trainLabels, idx([3], [9, 0, 4])],
    [fashionMnistFiles.testImages, idx([2, 2, 4], new Array(16).fill(255))],
    [fashionMnistFiles.testLabels, idx([2], [1, 2])],
  ];
  for (const [name, bytes] of files) {
    writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  }
  return { dir, trainImages };
}

describe('IDX files', () => {
  it('parses dimensions and values', () => {
    const parsed = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]), 'x');
    expect(parsed.shape).toEqual([2, 3]);
    expect([...parsed.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads dimensions above 255 as big-endian', () => {
    expect(parseIdx(idx([300], new Array(300).fill(7)), 'x').shape).toEqual([300]);
  });

  it.each([
    ['a wrong start', Uint8Array.of(1, 0, 8, 1, 0, 0, 0, 0), /does not start with 0x0000/],
    ['a float element type', idx([1], [0], 0x0d), /element type 0xd/],
    ['a short header', Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /cut short/],
    ['too few values', idx([2, 2], [1, 2, 3, 4]).subarray(0, 14), /need 4 bytes of data, it has 2/],
  ])('refuses %s, naming the file', (_, bytes, message) => {
    expect(() => parseIdx(bytes, 'labels.idx')).toThrow(FashionMnistError);
    expect(() => parseIdx(bytes, 'labels.idx')).toThrow(/labels\.idx/);
    expect(() => parseIdx(bytes, 'labels.idx')).toThrow(message);
  });

  it('refuses a corrupt gzip file, naming it', () => {
    const { dir } = tinySet();
    const path = join(dir, 'broken.gz');
    writeFileSync(path, Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));
    expect(() => readIdx(path)).toThrow(/Malformed gzip file .*broken\.gz/);
  });
});

describe('loadFashionMnist', () => {
  it.each([false, true])('loads both splits (gzip: %s)', (gzip) => {
    const { dir, trainImages } = tinySet({ gzip });
    const data = loadFashionMnist(dir);
    expect(data.dir).toBe(dir);
    expect(data.train).toMatchObject({ count: 3, rows: 2, cols: 4 });
    expect([...data.train.images]).toEqual(trainImages);
    expect([...data.train.labels]).toEqual([9, 0, 4]);
    expect(data.test.count).toBe(2);
    expect([...data.test.labels]).toEqual([1, 2]);
  });

  it('finds the files in the first place that holds them', () => {
    const { dir } = tinySet({ gzip: true });
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    dirs.push(empty);
    expect(findFashionMnist(undefined, [empty, dir])).toBe(dir);
    expect(findFashionMnist(undefined, [empty])).toBeNull();
    expect(loadFashionMnist(undefined, [empty, dir]).train.count).toBe(3);
  });

  it('says how to install the data when it is nowhere', () => {
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    dirs.push(empty);
    expect(() => loadFashionMnist(undefined, [empty])).toThrow(
      /not installed .*apt-get install dataset-fashion-mnist.*--fashion-mnist DIR/,
    );
  });

  it('names a missing file', () => {
    const { dir } = tinySet();
    rmSync(join(dir, fashionMnistFiles.testLabels));
    expect(() => loadFashionMnist(dir)).toThrow(/t10k-labels-idx1-ubyte\(\.gz\) is missing/);
  });

  it('names a label file that does not match its images', () => {
    const { dir } = tinySet();
    writeFileSync(join(dir, fashionMnistFiles.trainLabels), idx([2], [1, 2]));
    expect(() => loadFashionMnist(dir)).toThrow(/train-labels-idx1-ubyte: expected 3 labels/);
  });

  it('names a label that is not a class', () => {
    const { dir } = tinySet();
    writeFileSync(join(dir, fashionMnistFiles.testLabels), idx([2], [1, 10]));
    expect(() => loadFashionMnist(dir)).toThrow(/t10k-labels-idx1-ubyte: label 10 at index 1/);
  });

  it('names an image file that is not three-dimensional', () => {
    const { dir } = tinySet();
    writeFileSync(join(dir, fashionMnistFiles.trainImages), idx([3, 8], new Array(24).fill(0)));
    expect(() => loadFashionMnist(dir)).toThrow(/train-images-idx3-ubyte: images need 3/);
  });
});
