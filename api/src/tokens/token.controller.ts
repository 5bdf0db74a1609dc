import { Body, Controller, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { CONFIG, type Config } from '../config/config.js';
import { passwordMatches } from '../credentials/secrets.js';
import { POOL } from '../database/database.js';
import { KeyStore } from '../keys/key-store.js';
import { SignInThrottle } from './sign-in-throttle.js';

/** POST /auth/token: an RS256 JWT for PowerSync (sub = the user, aud = PowerSync's audience, at most a day). */
@Controller('auth/token')
export class TokenController {
  constructor(
    @Inject(POOL) private readonly pool: pg.Pool,
    @Inject(KeyStore) private readonly keys: KeyStore,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SignInThrottle) private readonly throttle: SignInThrottle,
  ) {}

  @Post()
  @HttpCode(200)
  async token(@Body() body: { username?: unknown; password?: unknown }, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { username, password } = body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') throw new UnauthorizedException('username and password are required');
    // behind Caddy the client is the first X-Forwarded-For address (Caddy sets it; it does not pass a client's own)
    const address = String(request.headers['x-forwarded-for'] ?? request.ip).split(',')[0].trim();
    const wait = this.throttle.admit(username, address);
    if (wait !== null) {
      reply.header('retry-after', String(wait));
      throw new HttpException(`too many sign-in attempts: try again in ${wait} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = (await this.pool.query<{ id: string; password_hash: string }>('SELECT id, password_hash FROM app_users WHERE username = $1', [username])).rows[0];
    if (!user || !(await passwordMatches(password, user.password_hash))) {
      this.throttle.failed(username);
      throw new UnauthorizedException('wrong username or password');
    }
    const signing = this.keys.signing;
    if (!signing) throw new Error('no private key in the key directory: tokens cannot be signed');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: signing.kid, typ: 'JWT' })
      .setSubject(user.id)
      .setAudience(this.config.powersyncAudience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.config.tokenTtlSeconds)
      .sign(signing.privateKey);
    return { token, expires_at: new Date((now + this.config.tokenTtlSeconds) * 1000).toISOString() };
  }
}
