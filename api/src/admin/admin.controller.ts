import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import type pg from 'pg';
import { hashDeviceSecret, hashPassword, newDeviceSecret } from '../credentials/secrets.js';
import { POOL } from '../database/database.js';
import { DeviceDirectory } from '../mqtt-auth/device-directory.js';
import { isValidDeviceId } from '../mqtt-auth/topic-rules.js';
import { AdminGuard } from './admin.guard.js';

/** Minimal administration: devices (the secret is returned once, at creation) and app users. */
@Controller('admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    @Inject(POOL) private readonly pool: pg.Pool,
    @Inject(DeviceDirectory) private readonly devices: DeviceDirectory,
  ) {}

  @Post('devices')
  async createDevice(@Body() body: { id?: unknown; name?: unknown; owner_id?: unknown }) {
    const id = body?.id === undefined ? randomUUID() : body.id;
    if (typeof id !== 'string' || !isValidDeviceId(id)) throw new BadRequestException('id: letters, digits and _ . : - only, at most 128');
    const name = typeof body?.name === 'string' ? body.name : '';
    const owner = typeof body?.owner_id === 'string' ? body.owner_id : null;
    const secret = newDeviceSecret();
    try {
      await this.pool.query('INSERT INTO devices (id, name, owner_id, secret_hash) VALUES ($1, $2, $3, $4)', [id, name, owner, hashDeviceSecret(secret)]);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '23505') throw new BadRequestException(`device ${id} exists`);
      if (code === '23503' || code === '22P02') throw new BadRequestException(`owner ${owner} is not a user`);
      throw error;
    }
    return { id, name, owner_id: owner, secret };
  }

  /** Revokes a device (it can no longer sign in); with ?purge=true, removes it and its positions altogether. */
  @Delete('devices/:id')
  @HttpCode(204)
  async revokeDevice(@Param('id') id: string, @Query('purge') purge?: string) {
    this.devices.forget(id);
    if (purge === 'true') {
      await this.pool.query('DELETE FROM positions WHERE device_id = $1', [id]);
      await this.pool.query('DELETE FROM device_latest_position WHERE device_id = $1', [id]);
      const removed = await this.pool.query('DELETE FROM devices WHERE id = $1', [id]);
      this.devices.forget(id);
      if (removed.rowCount === 0) throw new NotFoundException(`no device ${id}`);
      return;
    }
    const result = await this.pool.query('UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    this.devices.forget(id);
    if (result.rowCount === 0) throw new NotFoundException(`no active device ${id}`);
  }

  /** What a device has sent: its latest position (what PowerSync syncs) and its newest history rows. */
  @Get('devices/:id/positions')
  async positions(@Param('id') id: string, @Query('limit') limit?: string) {
    const count = Math.min(Math.max(Number(limit ?? 10) || 10, 1), 1000);
    const device = await this.pool.query('SELECT 1 FROM devices WHERE id = $1', [id]);
    if (device.rowCount === 0) throw new NotFoundException(`no device ${id}`);
    const latest = await this.pool.query('SELECT recorded_at, lat, lon, speed, heading, accuracy FROM device_latest_position WHERE device_id = $1', [id]);
    const history = await this.pool.query(
      'SELECT recorded_at, lat, lon, speed, heading, accuracy, received_at FROM positions WHERE device_id = $1 ORDER BY recorded_at DESC LIMIT $2', [id, count]);
    return { device_id: id, latest: latest.rows[0] ?? null, history: history.rows };
  }

  @Post('users')
  async createUser(@Body() body: { username?: unknown; password?: unknown }) {
    const { username, password } = body ?? {};
    if (typeof username !== 'string' || username.length < 1 || typeof password !== 'string' || password.length < 12)
      throw new BadRequestException('username, and a password of at least 12 characters, are required');
    const id = randomUUID();
    try {
      await this.pool.query('INSERT INTO app_users (id, username, password_hash) VALUES ($1, $2, $3)', [id, username, await hashPassword(password)]);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new BadRequestException(`user ${username} exists`);
      throw error;
    }
    return { id, username };
  }

  @Delete('users/:id')
  @HttpCode(204)
  async deleteUser(@Param('id') id: string) {
    const result = await this.pool.query('DELETE FROM app_users WHERE id::text = $1', [id]);
    if (result.rowCount === 0) throw new NotFoundException(`no user ${id}`);
  }
}
