// @ts-check
/**
 * Node flags every service process runs with: `npm start` (start-all.js), the tests' and the
 * benchmarks' product (tests/src/e2e/running-product.ts) and, through NODE_OPTIONS, the Docker
 * image (docker/Dockerfile; a test keeps the two equal).
 *
 * `--max-old-space-size=1536`: V8 lets the old generation grow to up to 4 times what survived
 * its last full collection when the heap may reach 2 GiB or more (the default here is about
 * 4 GiB); below that it scales the factor down linearly, to about 1.8 at 1.5 GiB. Under the
 * product bench the documents service then peaks near 180 to 215 MiB of RSS instead of 225 to
 * 250 MiB, with the same throughput. The cap leaves room for large documents: a JSON
 * submission's document never enters the heap (`shared/http/src/lifted-base64.ts`); five
 * 100 MiB documents sent at once as FHIR XML, whose text does, took the documents service to
 * 1.6 GiB of RSS and were all answered.
 */
'use strict';

const SERVICE_NODE_ARGS = Object.freeze(['--max-old-space-size=1536']);

module.exports = { SERVICE_NODE_ARGS };
