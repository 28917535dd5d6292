import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface OpsServerOptions {
  port: number;
  host?: string;
  /** Dependencies /ready checks; each rejects when its dependency is unreachable. */
  checks: Record<string, () => Promise<unknown>>;
  /** /ready answers 503 once this is true (shutdown has begun). */
  draining: () => boolean;
  checkTimeoutMs?: number;
}

export interface OpsServer {
  port: number;
  /** Adds a route, e.g. `/metrics` for prom-client's registry. */
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

/**
 * The worker's small HTTP server: `/health` (the process is up), `/ready` (Postgres and Redis
 * answer, and the worker is not shutting down), and any routes added later (`/metrics`).
 */
export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const routes = new Map<string, RouteHandler>();
  const timeoutMs = opts.checkTimeoutMs ?? 2_000;
  routes.set('/health', (_req, res) => json(res, 200, { status: 'ok' }));
  routes.set('/ready', async (_req, res) => {
    if (opts.draining()) return json(res, 503, { status: 'shutting_down' });
    const results: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      Object.entries(opts.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          results[name] = 'ok';
        } catch {
          ok = false;
          results[name] = 'unreachable';
        }
      }),
    );
    json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not_ready', checks: results });
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = req.method === 'GET' || req.method === 'HEAD' ? routes.get(path) : undefined;
    if (!handler) return json(res, 404, { error: 'Not found', code: 'not_found' });
    Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'Internal error', code: 'unavailable' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
