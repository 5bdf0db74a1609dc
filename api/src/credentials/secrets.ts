import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number, options: object) => Promise<Buffer>;

/** A new device secret: 256 random bits, shown once, stored only as a hash. */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A device secret has 256 bits of entropy, so one SHA-256 protects it: a slow password hash would only slow down
 * a reconnect storm (thousands of authentications a second), not an attacker.
 */
export function hashDeviceSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function deviceSecretMatches(secret: string, hash: Buffer): boolean {
  const candidate = hashDeviceSecret(secret);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}

// people choose their passwords: those get scrypt (N=2^15), salted
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, SCRYPT);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const candidate = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, SCRYPT);
  return timingSafeEqual(candidate, expected);
}

/** Compares two tokens in constant time. */
export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
