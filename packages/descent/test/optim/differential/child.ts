/**
 * A fresh process running one run of the differential suite: reads a `ChildRequest` as JSON on
 * stdin, writes a `ChildResponse` as JSON on stdout. It runs transpiled, from the temporary copy
 * of src/ and of this folder that build.ts makes, so `../../../src/index.js` is the library as it
 * is in the working tree.
 */
import * as lib from '../../../src/index.js';
import { type ChildRequest, type Lib, serveChild } from './runner.js';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChildRequest;
process.stdout.write(JSON.stringify(serveChild(lib as unknown as Lib, request)));
