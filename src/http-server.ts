/** Starting and stopping node:http servers the same way for the gateway and the simulator. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** Stops accepting and drops idle keep-alive sockets, so close resolves at once. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
