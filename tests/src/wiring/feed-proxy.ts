import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP relay to the consent service, standing for the network between one documents
 * instance and consent, that can lose the change feed (`/access/v1/changes`) while decisions
 * still pass: `hang` swallows every poll (sent or in flight) and never answers, as a partition
 * does; `pass` relays again.
 */
export interface FeedProxy {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function openFeedProxy(target: string): Promise<FeedProxy> {
  const upstream = new URL(target);
  let cut = false;
  const held = new Set<ServerResponse>();
  const isFeed = (req: IncomingMessage) => (req.url ?? '').startsWith('/access/v1/changes');

  const server = createServer((req, res) => {
    if (cut && isFeed(req)) {
      held.add(res);
      return;
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (cut && isFeed(req)) {
          // The answer is lost on the way back: the follower never learns what it said.
          answer.resume();
          held.add(res);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
      for (const res of held) res.destroy();
      held.clear();
    },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
