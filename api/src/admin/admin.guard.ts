import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CONFIG, type Config } from '../config/config.js';
import { tokensEqual } from '../credentials/secrets.js';

/** The admin endpoints need "Authorization: Bearer <ADMIN_TOKEN>" (the token is in the environment's credentials). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!token || !tokensEqual(token, this.config.adminToken)) throw new UnauthorizedException('admin token required');
    return true;
  }
}
