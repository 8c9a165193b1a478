/**
 * A rolling-window allocation (Salesforce counts delivered events over a rolling 24 h and published events per
 * hour). Usage is kept in one-minute buckets so memory stays bounded however many events flow.
 */
export class RollingAllocation {
  private readonly buckets = new Map<number, number>();
  private static readonly BUCKET_MS = 60_000;

  constructor(
    private max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  get limit(): number {
    return this.max;
  }

  setLimit(max: number): void {
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`allocation must be a non-negative integer, got ${max}`);
    this.max = max;
  }

  used(): number {
    this.prune();
    let total = 0;
    for (const count of this.buckets.values()) total += count;
    return total;
  }

  remaining(): number {
    return Math.max(0, this.max - this.used());
  }

  /** Consumes `amount` units when that many remain; false (and nothing consumed) otherwise. */
  tryConsume(amount = 1): boolean {
    if (this.remaining() < amount) return false;
    const bucket = Math.floor(this.now() / RollingAllocation.BUCKET_MS);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + amount);
    return true;
  }

  /** Admin switch: spend whatever remains so the next consumer is refused. */
  exhaust(): void {
    const left = this.remaining();
    if (left > 0) this.tryConsume(left);
  }

  reset(): void {
    this.buckets.clear();
  }

  private prune(): void {
    const oldest = Math.floor((this.now() - this.windowMs) / RollingAllocation.BUCKET_MS);
    for (const bucket of this.buckets.keys()) if (bucket <= oldest) this.buckets.delete(bucket);
  }
}
