import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Local services the API tests run against, started by the tests on 127.0.0.1 and stopped after (by PID). */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

export interface RunningPostgres {
  url: string;
  port: number;
  stop(): void;
}

/** Debian's PostgreSQL 15 in a scratch cluster (as user postgres: it refuses to run as root). */
export async function startPostgres15(): Promise<RunningPostgres> {
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(join(tmpdir(), 'accoreboot-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = (program: string, args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  writeFileSync(join(data, 'postgresql.auto.conf'), `listen_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nwal_level = logical\nfsync = off\n`);
  asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      try { asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL 17 + TimescaleDB: the local image built from Debian trixie (nothing is pulled). */
export async function startPostgres17Timescale(): Promise<RunningPostgres> {
  const port = await freePort();
  const name = `accoreboot-test-pg17-${process.pid}-${port}`;
  execFileSync('docker', ['run', '--pull', 'never', '-d', '--rm', '--name', name, '-p', `127.0.0.1:${port}:5432`,
    '-e', 'POSTGRES_PASSWORD=postgres', 'local/pg17-timescaledb:trixie'], { stdio: 'pipe' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      execFileSync('docker', ['exec', name, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres'], { stdio: 'pipe' });
      break;
    } catch { await sleep(200); }
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => { try { execFileSync('docker', ['rm', '-f', name], { stdio: 'pipe' }); } catch { /* gone */ } },
  };
}

export interface RunningBroker {
  url: string;
  stop(): void;
}

/** Debian's mosquitto, anonymous, on 127.0.0.1. */
export async function startMosquitto(): Promise<RunningBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'accoreboot-mqtt-'));
  const config = join(dir, 'mosquitto.conf');
  // the burst test publishes 2,000 QoS 1 messages faster than any consumer acknowledges them, and the consumer runs
  // on its own thread: mosquitto's default queue per client (max_queued_messages 1000) would drop the rest
  writeFileSync(config, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 5000\n`);
  const process: ChildProcess = spawn('mosquitto', ['-c', config], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop: () => { process.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}
