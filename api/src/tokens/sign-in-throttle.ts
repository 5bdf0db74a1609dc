import { Injectable } from '@nestjs/common';

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Makes guessing an app user's password slow: at most FAILURES_PER_USER wrong passwords per user name and
 * REQUESTS_PER_ADDRESS sign-ins per client address in a window of WINDOW_MS; past that, 429 until the window ends.
 * In memory and per API instance (one instance per environment today; a second would share it through the database).
 */
@Injectable()
export class SignInThrottle {
  static readonly WINDOW_MS = 60_000;
  static readonly FAILURES_PER_USER = 5;
  static readonly REQUESTS_PER_ADDRESS = 30;
  private static readonly MAX_KEYS = 100_000;
  private readonly failures = new Map<string, Window>();
  private readonly requests = new Map<string, Window>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Seconds to wait when this sign-in must be refused now, else null (and the request is counted). */
  admit(username: string, address: string): number | null {
    const now = this.clock();
    const user = this.current(this.failures, username, now);
    if (user.count >= SignInThrottle.FAILURES_PER_USER) return this.retryAfter(user, now);
    const client = this.current(this.requests, address, now);
    if (client.count >= SignInThrottle.REQUESTS_PER_ADDRESS) return this.retryAfter(client, now);
    client.count++;
    return null;
  }

  failed(username: string): void {
    this.current(this.failures, username, this.clock()).count++;
  }

  private current(windows: Map<string, Window>, key: string, now: number): Window {
    let window = windows.get(key);
    if (!window || now - window.startedAt >= SignInThrottle.WINDOW_MS) {
      if (windows.size >= SignInThrottle.MAX_KEYS) windows.clear();
      window = { startedAt: now, count: 0 };
      windows.set(key, window);
    }
    return window;
  }

  private retryAfter(window: Window, now: number): number {
    return Math.max(1, Math.ceil((window.startedAt + SignInThrottle.WINDOW_MS - now) / 1000));
  }
}
