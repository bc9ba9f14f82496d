/** Starting and stopping node:http servers the same way for the gateway and the simulator. */
import type { Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';

/** Listens on `host:port` (0 = a free port); resolves with the bound address, e.g. `{ url: "http://127.0.0.1:4000", hostPort: "127.0.0.1:4000" }`. */
export async function listen(server: Server, port: number, host: string): Promise<{ url: string; hostPort: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPort = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return { url: `http://${hostPort}`, hostPort };
}

/** Stops accepting and drops every connection; resolves once they are gone (at once when no longer listening). */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) {
    server.closeAllConnections();
    return Promise.resolve();
  }
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * Stops accepting new connections and leaves every open one alone (a graceful drain: the caller
 * closes them when it is done waiting). Unlike `http.Server#close`, it does not drop "idle"
 * connections, which include those accepted a moment ago whose request is still on its way.
 * Resolves once every connection is gone.
 */
export function stopListening(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise<void>((resolve) => {
    NetServer.prototype.close.call(server, () => resolve());
  });
}
