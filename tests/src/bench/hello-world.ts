/**
 * The framework floor of the product benchmark: an Express 5 hello-world in its own process, with
 * one route per load shape of the product (a small JSON, a document's bytes, a JSON body to
 * parse). Listens on a free port of 127.0.0.1 and prints `listening <port>`; SIGTERM stops it.
 * Started by `product-bench.ts`; `BENCH_DOC_KB` sizes the bytes it serves.
 */
import express from 'express';

const DOC_KB = Number(process.env.BENCH_DOC_KB ?? 100);
const BYTES = Buffer.alloc(DOC_KB * 1024, 0x25);

const app = express();
app.get('/hello', (_request, response) => {
  response.json({ hello: 'world' });
});
app.get('/bytes', (_request, response) => {
  response.type('application/pdf').send(BYTES);
});
app.post(
  '/bundle',
  express.json({ limit: '200mb', type: ['application/json', 'application/fhir+json'] }),
  (request, response) => {
    const body = request.body as { entry?: unknown[] };
    response.status(201).json({ entries: body.entry?.length ?? 0 });
  },
);

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
