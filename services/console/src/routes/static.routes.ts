import path from 'node:path';
import express from 'express';
import { fhirError } from '@dmp/errors';
import type { ConsoleRoute } from './route-table';

/**
 * The single-page app built by Vite: `index.html` (never cached: it names the current assets)
 * and the content-hashed files under `/assets` (cached for a year).
 */
export function staticRoutes(webDir: string): ConsoleRoute[] {
  const assets = express.static(path.join(webDir, 'assets'), {
    immutable: true,
    maxAge: '365d',
    index: false,
    fallthrough: true,
  });
  return [
    {
      method: 'GET',
      path: '/',
      access: 'public',
      handlers: [
        (_req, res, next) => {
          res.set('Cache-Control', 'no-store');
          res.sendFile(path.join(webDir, 'index.html'), (error) => {
            if (error) {
              next(
                fhirError(
                  'DMP-HTTP-ROUTE-NOT-FOUND',
                  'The console app is not built: npm run build',
                ),
              );
            }
          });
        },
      ],
    },
    {
      method: 'GET',
      path: '/assets/:file',
      access: 'public',
      handlers: [
        (req, res, next) => {
          req.url = `/${String(req.params.file)}`;
          assets(req, res, next);
        },
      ],
    },
  ];
}
