// Shared subscriptions ($share/<group>/<filter>), which aedes does not have: each message matching the filter goes
// to one member of the group, in turn (EMQX's default strategy, round_robin). Members subscribe through aedes as
// usual (so authorization and the SUBACK are aedes'), and one broker-side subscription per group dispatches.
const SHARE = /^\$share\/([^/#+]+)\/(.+)$/;

export class SharedSubscriptions {
  constructor(aedes) {
    this.aedes = aedes;
    this.groups = new Map();
    aedes.on('subscribe', (subscriptions, client) => {
      for (const { topic } of subscriptions) if (SHARE.test(topic)) this.join(topic, client);
    });
    aedes.on('unsubscribe', (topics, client) => { for (const topic of topics) this.leave(topic, client); });
    aedes.on('clientDisconnect', (client) => { for (const topic of [...this.groups.keys()]) this.leave(topic, client); });
  }

  join(topic, client) {
    let group = this.groups.get(topic);
    if (!group) {
      const filter = SHARE.exec(topic)[2];
      group = { filter, members: [], next: 0 };
      group.dispatch = (packet, done) => this.dispatch(topic, group, packet, done);
      this.groups.set(topic, group);
      this.aedes.subscribe(filter, group.dispatch, () => {});
    }
    if (!group.members.includes(client)) group.members.push(client);
  }

  leave(topic, client) {
    const group = this.groups.get(topic);
    if (!group) return;
    group.members = group.members.filter((member) => member !== client);
    if (group.members.length === 0) {
      this.groups.delete(topic);
      this.aedes.unsubscribe(group.filter, group.dispatch, () => {});
    }
  }

  dispatch(topic, group, packet, done) {
    // [MQTT-4.7.2-1]: a filter starting with a wildcard does not match $ topics
    if (packet.topic.startsWith('$') && /^[+#]/.test(group.filter)) return done();
    for (let tried = 0; tried < group.members.length; tried++) {
      const member = group.members[group.next++ % group.members.length];
      const subscription = member.subscriptions?.[topic];
      if (!member.closed && subscription) return subscription.func(packet, done);
    }
    done(); // no member left: EMQX drops the message
  }
}
