import { Body, Controller, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { SignJWT } from 'jose';
import type pg from 'pg';
import { CONFIG, type Config } from '../config/config.js';
import { passwordMatches } from '../credentials/secrets.js';
import { POOL } from '../database/database.js';
import { KeyStore } from '../keys/key-store.js';

/** POST /auth/token: an RS256 JWT for PowerSync (sub = the user, aud = PowerSync's audience, at most a day). */
@Controller('auth/token')
export class TokenController {
  constructor(
    @Inject(POOL) private readonly pool: pg.Pool,
    @Inject(KeyStore) private readonly keys: KeyStore,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  @HttpCode(200)
  async token(@Body() body: { username?: unknown; password?: unknown }) {
    const { username, password } = body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string') throw new UnauthorizedException('username and password are required');
    const user = (await this.pool.query<{ id: string; password_hash: string }>('SELECT id, password_hash FROM app_users WHERE username = $1', [username])).rows[0];
    if (!user || !(await passwordMatches(password, user.password_hash))) throw new UnauthorizedException('wrong username or password');
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
