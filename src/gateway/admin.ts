import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEngine } from '../engines/engine.js';

/**
 * The admin listener: health for load balancers and process supervisors. `GET /healthz` answers
 * 200 while the gateway runs, with the engines and their open session counts (no identities,
 * no secrets).
 */
export interface AdminServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startAdminServer(
  host: string,
  port: number,
  engines: () => RunningEngine[],
): Promise<AdminServer> {
  const startedAt = Date.now();
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end('{"status":"not found"}');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(health(engines(), startedAt)));
  });
  const boundPort = await listen(server, host, port);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    close: () => closeServer(server),
  };
}

function health(engines: RunningEngine[], startedAt: number) {
  return {
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    engines: engines.map((engine) => ({
      protocol: engine.protocol,
      url: engine.url,
      sessions: engine.sessionCount(),
    })),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
