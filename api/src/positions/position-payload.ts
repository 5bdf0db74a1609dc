/** A GPS position as a device publishes it on devices/<id>/position. */
export interface Position {
  deviceId: string;
  lat: number;
  lon: number;
  recordedAt: Date;
  speed: number | null;
  heading: number | null;
  accuracy: number | null;
}

export type ParseResult = { ok: true; position: Position } | { ok: false; reason: string };

const TOPIC = /^devices\/([A-Za-z0-9_.:-]{1,128})\/position$/;

/** Reads a position message; anything malformed is a reason, never an exception. */
export function parsePosition(topic: string, payload: Buffer): ParseResult {
  const match = TOPIC.exec(topic);
  if (!match) return { ok: false, reason: 'topic' };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'json' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, reason: 'json' };
  const { lat, lon, recorded_at: recordedAt, speed, heading, accuracy } = body as Record<string, unknown>;
  if (!isNumber(lat) || lat < -90 || lat > 90) return { ok: false, reason: 'lat' };
  if (!isNumber(lon) || lon < -180 || lon > 180) return { ok: false, reason: 'lon' };
  if (typeof recordedAt !== 'string' && typeof recordedAt !== 'number') return { ok: false, reason: 'recorded_at' };
  const recorded = new Date(typeof recordedAt === 'number' ? recordedAt * 1000 : recordedAt);
  if (Number.isNaN(recorded.getTime()) || recorded.getTime() > Date.now() + 5 * 60_000) return { ok: false, reason: 'recorded_at' };
  for (const [name, value] of [['speed', speed], ['heading', heading], ['accuracy', accuracy]] as const)
    if (value !== undefined && value !== null && (!isNumber(value) || value < 0)) return { ok: false, reason: name };
  if (isNumber(heading) && heading >= 360) return { ok: false, reason: 'heading' };
  return {
    ok: true,
    position: {
      deviceId: match[1],
      lat,
      lon,
      recordedAt: recorded,
      speed: isNumber(speed) ? speed : null,
      heading: isNumber(heading) ? heading : null,
      accuracy: isNumber(accuracy) ? accuracy : null,
    },
  };
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
