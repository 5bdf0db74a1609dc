import { Injectable } from '@nestjs/common';

/** Counts of the position messages, by outcome (exposed at /metrics for Prometheus, not routed by Caddy). */
@Injectable()
export class IngestionMetrics {
  accepted = 0;
  readonly rejected = new Map<string, number>();

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  get rejectedTotal(): number {
    let total = 0;
    for (const count of this.rejected.values()) total += count;
    return total;
  }

  prometheus(): string {
    const lines = [
      '# HELP accoreboot_positions_accepted_total Position messages written.',
      '# TYPE accoreboot_positions_accepted_total counter',
      `accoreboot_positions_accepted_total ${this.accepted}`,
      '# HELP accoreboot_positions_rejected_total Position messages dropped, by reason.',
      '# TYPE accoreboot_positions_rejected_total counter',
      ...[...this.rejected].map(([reason, count]) => `accoreboot_positions_rejected_total{reason="${reason}"} ${count}`),
    ];
    return lines.join('\n') + '\n';
  }
}
