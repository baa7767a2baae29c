import * as descent from 'descent';
import check from './check.cjs';

console.log(JSON.stringify(await check(descent)));
