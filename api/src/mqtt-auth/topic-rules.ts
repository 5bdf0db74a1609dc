/**
 * Who may use which MQTT topics. A device (username = its id, client id = its id) publishes only under
 * devices/<id>/ and subscribes only to devices/<id>/commands/…; the API's own client reads every device's
 * positions through a shared subscription and may publish commands.
 */

const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

export type MqttAction = 'publish' | 'subscribe';

export function deviceMayUse(deviceId: string, action: MqttAction, topic: string): boolean {
  if (!isValidDeviceId(deviceId)) return false;
  const own = `devices/${deviceId}/`;
  if (action === 'publish') return topic.startsWith(own) && topic.length > own.length && !/[+#]/.test(topic);
  // any filter inside its own commands subtree, wildcards included (they cannot reach outside it)
  const commands = `${own}commands`;
  return topic === commands || topic.startsWith(`${commands}/`);
}

/**
 * EMQX authorizes a shared subscription by its real filter: `$share/<group>/devices/+/position` is asked as
 * `devices/+/position` (emqx_channel:do_check_sub_authzs2 → emqx_topic:get_shared_real_topic, EMQX 5.8.9).
 */
export function serviceMayUse(action: MqttAction, topic: string): boolean {
  if (action === 'subscribe') return topic === 'devices/+/position';
  return /^devices\/[A-Za-z0-9_.:-]{1,128}\/commands(\/[^+#]*)?$/.test(topic);
}
