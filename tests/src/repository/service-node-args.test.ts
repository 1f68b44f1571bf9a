import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SERVICE_NODE_ARGS } from '../e2e/running-product';

describe('the Node flags of the service processes', () => {
  it('are the same in the Docker image as in npm start, the tests and the benchmarks', () => {
    const dockerfile = readFileSync(path.join(ROOT, 'docker', 'Dockerfile'), 'utf8');

    const nodeOptions = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1];

    expect(SERVICE_NODE_ARGS.length).toBeGreaterThan(0);
    expect(nodeOptions).toBe(SERVICE_NODE_ARGS.join(' '));
  });
});
