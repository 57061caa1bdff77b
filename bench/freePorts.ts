/** `n` distinct TCP ports on 127.0.0.1 that the kernel reported free. */
import { createServer, type Server } from 'node:net';

export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    servers.push(srv);
    const a = srv.address();
    ports.push(typeof a === 'object' && a ? a.port : 0);
  }
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}
