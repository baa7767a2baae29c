// The entry bundlers take for browsers ("browser" and "default" in package.json's exports),
// imported by its path, on Node.

import check from './check.cjs';
import * as descent from './node_modules/descent/dist/index.js';

console.log(JSON.stringify(await check(descent)));
