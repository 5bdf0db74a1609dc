// Services the stand-ins' tests run against, on 127.0.0.1, stopped after.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL 17 + TimescaleDB from the local image (wal_level = logical), as the sandbox's managed database. */
export async function startPostgres17() {
  const port = await freePort();
  const name = `standins-test-pg17-${process.pid}-${port}`;
  execFileSync('docker', ['run', '--pull', 'never', '-d', '--rm', '--name', name, '-p', `127.0.0.1:${port}:5432`,
    '-e', 'POSTGRES_PASSWORD=postgres', 'local/pg17-timescaledb:trixie'], { stdio: 'pipe' });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      execFileSync('docker', ['exec', name, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres'], { stdio: 'pipe' });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`PostgreSQL (${name}) not ready after 60 s`);
      await sleep(200);
    }
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    container: name,
    stop: () => { try { execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' }); } catch { /* gone */ } },
  };
}
