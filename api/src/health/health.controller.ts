import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type pg from 'pg';
import { POOL } from '../database/database.js';

/** /health: 200 {"status":"ok"} when the database answers within 2 s, 503 {"status":"error", …} otherwise. */
@Controller('health')
export class HealthController {
  constructor(@Inject(POOL) private readonly pool: pg.Pool) {}

  @Get()
  async health(@Res() reply: FastifyReply) {
    try {
      await withTimeout(this.pool.query('SELECT 1'), 2000);
      return reply.status(HttpStatus.OK).send({ status: 'ok' });
    } catch (error) {
      return reply.status(HttpStatus.SERVICE_UNAVAILABLE).send({ status: 'error', error: { database: (error as Error).message } });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, milliseconds: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${milliseconds} ms`)), milliseconds);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
