/** Resolves when 127.0.0.1:port accepts a TCP connection; rejects after 20 s or when `died()` says so. */
import { connect } from 'node:net';

export async function waitForPort(port: number, died: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (died()) throw new Error(`the daemon for port ${port} exited before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within 20 s`);
}
