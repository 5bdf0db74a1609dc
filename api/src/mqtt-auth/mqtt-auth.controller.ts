import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { deviceSecretMatches, tokensEqual } from '../credentials/secrets.js';
import { DeviceDirectory } from './device-directory.js';
import { deviceMayUse, isValidDeviceId, type MqttAction, serviceMayUse } from './topic-rules.js';

interface AuthenticationRequest {
  username?: unknown;
  password?: unknown;
  clientid?: unknown;
}

interface AuthorizationRequest {
  username?: unknown;
  clientid?: unknown;
  topic?: unknown;
  action?: unknown;
}

const DENY = { result: 'deny', is_superuser: false } as const;
const ALLOW = { result: 'allow', is_superuser: false } as const;

/**
 * EMQX's HTTP authentication and authorization (EMQX 5 contract: always 200 with a result; any other status
 * counts as "ignore", which ends in a refusal anyway). Devices sign in with their id as username and client id.
 */
@Controller('auth/mqtt')
export class MqttAuthController {
  constructor(
    @Inject(DeviceDirectory) private readonly devices: DeviceDirectory,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Post()
  @HttpCode(200)
  async authenticate(@Body() body: AuthenticationRequest) {
    const { username, password, clientid } = body ?? {};
    if (typeof username !== 'string' || typeof password !== 'string' || typeof clientid !== 'string') return DENY;
    if (username === this.config.mqtt.username)
      return this.config.mqtt.password !== '' && clientid.startsWith(`${username}-`) && tokensEqual(password, this.config.mqtt.password) ? ALLOW : DENY;
    if (!isValidDeviceId(username) || clientid !== username) return DENY;
    const device = await this.devices.find(username);
    if (!device || device.revoked || !deviceSecretMatches(password, device.secretHash)) return DENY;
    return ALLOW;
  }

  @Post('acl')
  @HttpCode(200)
  async authorize(@Body() body: AuthorizationRequest) {
    const { username, topic, action } = body ?? {};
    if (typeof username !== 'string' || typeof topic !== 'string' || (action !== 'publish' && action !== 'subscribe')) return { result: 'deny' };
    const allowed = username === this.config.mqtt.username
      ? serviceMayUse(action as MqttAction, topic)
      : deviceMayUse(username, action as MqttAction, topic) && !((await this.devices.find(username))?.revoked ?? true);
    return { result: allowed ? 'allow' : 'deny' };
  }
}
