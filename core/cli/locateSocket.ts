/**
 * Which management socket a client command talks to: `--socket PATH`, else
 * $LUNHOST_SOCKET, else the one the declaration names (`--config FILE`, or
 * the declaration found in the working directory as `lunhost start` finds
 * it). The file is only parsed, not validated: `lunhost status` must work
 * precisely when the file on disk was just broken by an edit.
 */
import path from 'node:path';
import { ConfigError } from '../config/ConfigError.js';
import { readDeclarationFile } from '../config/readDeclarationFile.js';
import { DEFAULT_SOCKET_NAME, DEFAULT_STATE_DIR, managementSocketPathFromRaw } from '../management/managementSocketPath.js';

export interface SocketLocation {
  readonly socket?: string | undefined;
  readonly config?: string | undefined;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

export async function locateSocket(loc: SocketLocation): Promise<string> {
  if (loc.socket) return path.resolve(loc.cwd, loc.socket);
  if (loc.env.LUNHOST_SOCKET) return path.resolve(loc.cwd, loc.env.LUNHOST_SOCKET);
  try {
    const source = await readDeclarationFile({ configPath: loc.config ?? null, cwd: loc.cwd });
    const baseDir = source.file ? path.dirname(source.file) : loc.cwd;
    return managementSocketPathFromRaw(source.data, baseDir);
  } catch (err) {
    // A file that does not parse (mid-edit): the daemon may still run with the default socket.
    const file = err instanceof ConfigError ? err.issues.find((i) => i.file !== null && i.line > 0)?.file : undefined;
    if (file) return path.join(path.dirname(file), DEFAULT_STATE_DIR, DEFAULT_SOCKET_NAME);
    throw err;
  }
}
