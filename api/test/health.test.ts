import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freshDatabase, keyDirectory, startApi, type RunningApi } from './support/harness.js';
import { startPostgres15 } from './support/services.js';

describe('GET /health', () => {
  const keys = keyDirectory();
  let api: RunningApi;

  beforeAll(async () => { api = await startApi(await freshDatabase(inject('postgresUrl')), keys.dir); });
  afterAll(async () => { await api.close(); keys.remove(); });

  it('answers 200 {"status":"ok"} when the database answers', async () => {
    const response = await fetch(`${api.base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 with status error once the database is gone', async () => {
    const own = await startPostgres15();
    const lonely = await startApi(own.url, keys.dir);
    try {
      expect((await fetch(`${lonely.base}/health`)).status).toBe(200);
      own.stop();
      const response = await fetch(`${lonely.base}/health`);
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.status).toBe('error');
      expect(body.error.database).toBeTypeOf('string');
    } finally {
      own.stop();
      await lonely.close().catch(() => undefined);
    }
  });
});
