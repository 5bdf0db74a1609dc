// EMQX's flapping detection (apps/emqx/src/emqx_flapping.erl, `flapping_detect`): a client id that disconnects or
// is refused more than max_count times within window_time is banned for ban_time. Off unless enabled.
export class FlappingDetector {
  constructor({ enable, max_count: maxCount, window_time: window, ban_time: banTime }, clock = Date.now) {
    Object.assign(this, { enable, maxCount, window, banTime, clock });
    this.events = new Map();
    this.bans = new Map();
  }

  record(clientId) {
    if (!this.enable || !clientId) return;
    const now = this.clock();
    const recent = (this.events.get(clientId) ?? []).filter((at) => now - at < this.window);
    recent.push(now);
    if (recent.length > this.maxCount) {
      this.bans.set(clientId, now + this.banTime);
      this.events.delete(clientId);
    } else {
      this.events.set(clientId, recent);
    }
  }

  banned(clientId) {
    const until = this.bans.get(clientId);
    if (until === undefined) return false;
    if (this.clock() < until) return true;
    this.bans.delete(clientId);
    return false;
  }
}
