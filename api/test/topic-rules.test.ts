import { describe, expect, it } from 'vitest';
import { deviceMayUse, serviceMayUse } from '../src/mqtt-auth/topic-rules.js';

describe('MQTT topic rules', () => {
  it.each([
    ['publish', 'devices/d1/position', true],
    ['publish', 'devices/d1/status/battery', true],
    ['publish', 'devices/d2/position', false],
    ['publish', 'devices/d1', false],
    ['publish', 'devices/d1/#', false],
    ['publish', 'devices/d10/position', false],
    ['subscribe', 'devices/d1/commands/#', true],
    ['subscribe', 'devices/d1/commands/reboot', true],
    ['subscribe', 'devices/d1/commands', true],
    ['subscribe', 'devices/d1/#', false],
    ['subscribe', 'devices/d1/position', false],
    ['subscribe', 'devices/+/commands/#', false],
    ['subscribe', '$share/g/devices/d1/commands/#', false],
    ['subscribe', 'devices/d1/commandsx', false],
  ] as const)('a device may %s %s: %s', (action, topic, allowed) => {
    expect(deviceMayUse('d1', action, topic)).toBe(allowed);
  });

  it('refuses device ids that would reach other topics', () => {
    expect(deviceMayUse('+', 'publish', 'devices/+/position')).toBe(false);
    expect(deviceMayUse('a/b', 'publish', 'devices/a/b/position')).toBe(false);
  });

  it('lets the service read every position (EMQX asks for a shared subscription\'s real filter) and send commands', () => {
    expect(serviceMayUse('subscribe', 'devices/+/position')).toBe(true);
    expect(serviceMayUse('subscribe', '$share/api/devices/+/position')).toBe(false);
    expect(serviceMayUse('subscribe', 'devices/#')).toBe(false);
    expect(serviceMayUse('publish', 'devices/d1/commands/reboot')).toBe(true);
    expect(serviceMayUse('publish', 'devices/d1/position')).toBe(false);
  });
});
