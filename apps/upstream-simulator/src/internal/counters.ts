import type { Outcome, OutcomeCounts, SimulatorStats, TimelineSecond } from '../simulator-stats.js';

type Counts = { -readonly [K in keyof OutcomeCounts]: number };

const zero = (): Counts => ({ total: 0, ok: 0, '4xx': 0, '401': 0, '429': 0, '5xx': 0, hang: 0, drop: 0 });

/** The tallies behind `SimulatorStats`: by outcome, by status, by key and by second. */
export class Counters {
  #requests = zero();
  #byStatus = new Map<string, number>();
  #byKey = new Map<string, Counts>();
  #timeline: Counts[] = [];

  record(atMs: number, keyId: string, outcome: Outcome, status: number | undefined): void {
    const second = Math.floor(atMs / 1000);
    for (let s = this.#timeline.length; s <= second; s++) this.#timeline.push(zero());
    let byKey = this.#byKey.get(keyId);
    if (byKey === undefined) this.#byKey.set(keyId, (byKey = zero()));
    for (const counts of [this.#requests, byKey, this.#timeline[second]!]) {
      counts.total++;
      counts[outcome]++;
    }
    if (status !== undefined) this.#byStatus.set(String(status), (this.#byStatus.get(String(status)) ?? 0) + 1);
  }

  snapshot(elapsedMs: number): Pick<SimulatorStats, 'requests' | 'byStatus' | 'byKey' | 'timeline'> {
    const seconds = Math.max(this.#timeline.length, Math.floor(elapsedMs / 1000) + 1);
    const timeline: TimelineSecond[] = Array.from({ length: seconds }, (_, second) => ({ second, ...(this.#timeline[second] ?? zero()) }));
    return {
      requests: { ...this.#requests },
      byStatus: Object.fromEntries([...this.#byStatus].sort(([a], [b]) => a.localeCompare(b))),
      byKey: Object.fromEntries([...this.#byKey].map(([id, counts]) => [id, { ...counts }])),
      timeline,
    };
  }
}
