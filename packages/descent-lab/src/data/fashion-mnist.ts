import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017): 60 000 training and 10 000 test images of 28 × 28
 * grey pixels in ten classes of clothing, stored as four IDX files, gzipped or not.
 */

/** Where Debian's `dataset-fashion-mnist` package puts the four files (gzipped). */
export const debianFashionMnistDir = '/usr/share/datasets/fashion-mnist';

/** How to get the data, for messages that say it is missing. */
export const fashionMnistHint =
  'install it with `apt-get install dataset-fashion-mnist`, or give the directory holding its four IDX files with `--fashion-mnist DIR`';

export const fashionMnistFiles = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export const fashionMnistClasses = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** An IDX array of unsigned bytes: its dimensions and its values in row-major order. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** One split: `images` holds `count` images of `rows` × `cols` bytes, one after another. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface FashionMnist {
  train: ImageSet;
  test: ImageSet;
  /** The directory the files came from. */
  dir: string;
}

/** A file of the data set is absent or is not what it should be; `file` names it. */
export class FashionMnistError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'FashionMnistError';
  }
}

const unsignedByte = 0x08;

/**
 * Parses an IDX file of unsigned bytes: two zero bytes, the type (0x08), the number of
 * dimensions, each dimension as a big-endian 32-bit integer, then the values.
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (why: string): never => {
    throw new FashionMnistError(`Malformed IDX file ${file}: ${why}`, file);
  };
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) fail('it does not start with 0x0000');
  if (bytes[2] !== unsignedByte) {
    fail(`element type 0x${bytes[2].toString(16)}, expected 0x08 (unsigned byte)`);
  }
  const ndim = bytes[3];
  const header = 4 + 4 * ndim;
  if (ndim === 0 || bytes.length < header) fail(`a header of ${ndim} dimensions is cut short`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) {
    fail(
      `dimensions [${shape.join(', ')}] need ${size} bytes of data, it has ${bytes.length - header}`,
    );
  }
  return { shape, data: bytes.subarray(header) };
}

/** Reads an IDX file, gunzipping it when it starts with gzip's magic bytes. */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new FashionMnistError(`Malformed gzip file ${path}: ${(error as Error).message}`, path);
    }
  }
  return parseIdx(bytes, path);
}

/** The path of `name` or `name.gz` in `dir`, or null. */
function locate(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The directory to read: the one given, else the first of `places` holding the files, else null. */
export function findFashionMnist(
  dir?: string,
  places: readonly string[] = [debianFashionMnistDir],
): string | null {
  if (dir !== undefined) return dir;
  return places.find((place) => locate(place, fashionMnistFiles.trainImages) !== null) ?? null;
}

function readSplit(dir: string, imagesName: string, labelsName: string): ImageSet {
  const path = (name: string): string => {
    const found = locate(dir, name);
    if (found === null) {
      throw new FashionMnistError(
        `Fashion-MNIST file ${join(dir, name)}(.gz) is missing: ${fashionMnistHint}`,
        join(dir, name),
      );
    }
    return found;
  };
  const imagesPath = path(imagesName);
  const labelsPath = path(labelsName);
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3) {
    throw new FashionMnistError(
      `Malformed IDX file ${imagesPath}: images need 3 dimensions, it has [${images.shape.join(', ')}]`,
      imagesPath,
    );
  }
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) {
    throw new FashionMnistError(
      `Malformed IDX file ${labelsPath}: expected ${images.shape[0]} labels (one per image of ${imagesPath}), its dimensions are [${labels.shape.join(', ')}]`,
      labelsPath,
    );
  }
  const bad = labels.data.findIndex((label) => label >= fashionMnistClasses.length);
  if (bad >= 0) {
    throw new FashionMnistError(
      `Malformed IDX file ${labelsPath}: label ${labels.data[bad]} at index ${bad} is not a class (0-9)`,
      labelsPath,
    );
  }
  const [count, rows, cols] = images.shape;
  return { images: images.data, labels: labels.data, count, rows, cols };
}

/**
 * Loads both splits from `dir`, or from Debian's package when no directory is given. Throws a
 * FashionMnistError naming the file that is missing or malformed.
 */
export function loadFashionMnist(
  dir?: string,
  places: readonly string[] = [debianFashionMnistDir],
): FashionMnist {
  const found = findFashionMnist(dir, places);
  if (found === null) {
    throw new FashionMnistError(
      `Fashion-MNIST is not installed (looked in ${places.join(', ')}): ${fashionMnistHint}`,
      join(places[0] ?? '.', fashionMnistFiles.trainImages),
    );
  }
  const { trainImages, trainLabels, testImages, testLabels } = fashionMnistFiles;
  return {
    train: readSplit(found, trainImages, trainLabels),
    test: readSplit(found, testImages, testLabels),
    dir: found,
  };
}
