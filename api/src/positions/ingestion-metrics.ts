export interface IngestionCounts {
  accepted: number;
  rejected: [string, number][];
}

/** Counts of the position messages, by outcome (exposed at /metrics for Prometheus, not routed by Caddy). */
export class IngestionMetrics {
  accepted = 0;
  readonly rejected = new Map<string, number>();

  constructor(private readonly onChange: () => void = () => {}) {}

  accept(): void {
    this.accepted++;
    this.onChange();
  }

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
    this.onChange();
  }

  snapshot(): IngestionCounts {
    return { accepted: this.accepted, rejected: [...this.rejected] };
  }

  /** The counts of the ingestion thread, which does the counting. */
  replace(counts: IngestionCounts): void {
    this.accepted = counts.accepted;
    this.rejected.clear();
    for (const [reason, count] of counts.rejected) this.rejected.set(reason, count);
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
