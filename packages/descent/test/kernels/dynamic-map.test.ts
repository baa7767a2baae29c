import { describe, expect, it } from 'vitest';
import { zeroCode } from '../../src/kernels/blockwise.js';
import {
  createDynamicMap,
  quantize2D,
  signedMap,
  unsignedMap,
} from '../../src/kernels/dynamic-map.js';
import { codecs, fromBits } from './state-codecs.js';

/**
 * dynamic-map.ts against the codec fixture: bitsandbytes' create_dynamic_map (built with torch
 * float32 linspace, as bitsandbytes builds it) and its quantize_2D restated in numpy float32.
 */
describe('the dynamic maps', () => {
  for (const name of ['signed', 'unsigned'] as const) {
    it(`${name}: bitsandbytes' create_dynamic_map(signed=${name === 'signed'}), bit for bit`, () => {
      const built = createDynamicMap(name === 'signed');
      expect(Array.from(built)).toEqual(codecs.maps[name]);
      expect(Array.from(name === 'signed' ? signedMap : unsignedMap)).toEqual(codecs.maps[name]);
      expect(zeroCode(built)).toBe(codecs.maps.zeroIndex[name]);
    });
  }
});

describe('quantize2D', () => {
  for (const name of ['signed', 'unsigned'] as const) {
    const { xBits, codes } = codecs.quantize2D[name];
    it(`${name}: bitsandbytes' quantize_2D on ${xBits.length} inputs (every map value, every float32 midpoint and its neighbours, edges, randoms)`, () => {
      const map = name === 'signed' ? signedMap : unsignedMap;
      const xs = fromBits(xBits);
      const actual = Array.from(xs, (x) => quantize2D(map, name === 'signed', x));
      expect(actual).toEqual(codes);
      // Ties at a float32 midpoint occur in the fixture and go to the even code of the two.
      const ties = Array.from(xs).filter((x, i) => {
        const c = codes[i];
        return (
          c > 0 &&
          c < 255 &&
          (Math.fround((map[c] + map[c - 1]) * 0.5) === x ||
            Math.fround((map[c] + map[c + 1]) * 0.5) === x)
        );
      });
      expect(ties.length).toBeGreaterThan(100);
    });
  }
});
