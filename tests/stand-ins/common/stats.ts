// Request accounting for a stand-in: counts per endpoint template and status, faults fired, and a
// bounded log of recent requests. Tests and the benchmark compare request counts (how many pages a
// collector fetched, whether a 304 was used), so this is cheap enough to stay on for millions of
// requests: a few counter increments and one ring-buffer slot per request.

export interface RequestLogEntry {
  seq: number;
  method: string;
  url: string;
  endpoint: string;
  status: number;
  fault: string | null;
}

export class RequestStats {
  total = 0;
  byEndpoint: Record<string, number> = Object.create(null);
  byStatus: Record<string, number> = Object.create(null);
  faults: Record<string, number> = Object.create(null);
  notModified = 0;
  private ring: RequestLogEntry[] = [];
  private ringNext = 0;

  constructor(private readonly logLimit = 1000) {}

  record(entry: RequestLogEntry): void {
    this.total++;
    this.byEndpoint[entry.endpoint] = (this.byEndpoint[entry.endpoint] ?? 0) + 1;
    this.byStatus[entry.status] = (this.byStatus[entry.status] ?? 0) + 1;
    if (entry.status === 304) this.notModified++;
    if (entry.fault) this.faults[entry.fault] = (this.faults[entry.fault] ?? 0) + 1;
    if (this.logLimit <= 0) return;
    if (this.ring.length < this.logLimit) this.ring.push(entry);
    else this.ring[this.ringNext] = entry;
    this.ringNext = (this.ringNext + 1) % this.logLimit;
  }

  /** Requests to one endpoint template (e.g. `GET /incidents`), or all when omitted. */
  count(endpoint?: string): number {
    return endpoint === undefined ? this.total : (this.byEndpoint[endpoint] ?? 0);
  }

  /** The most recent requests, oldest first. */
  log(): RequestLogEntry[] {
    if (this.ring.length < this.logLimit) return [...this.ring];
    return [...this.ring.slice(this.ringNext), ...this.ring.slice(0, this.ringNext)];
  }

  reset(): void {
    this.total = 0;
    this.byEndpoint = Object.create(null);
    this.byStatus = Object.create(null);
    this.faults = Object.create(null);
    this.notModified = 0;
    this.ring = [];
    this.ringNext = 0;
  }

  snapshot(): {
    total: number;
    byEndpoint: Record<string, number>;
    byStatus: Record<string, number>;
    faults: Record<string, number>;
    notModified: number;
  } {
    return {
      total: this.total,
      byEndpoint: { ...this.byEndpoint },
      byStatus: { ...this.byStatus },
      faults: { ...this.faults },
      notModified: this.notModified,
    };
  }
}
