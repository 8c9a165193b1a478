/**
 * Per-channel low watermark: the checkpoint may only move past an event once that event and every event delivered
 * before it on the channel are done. Events finish out of order (concurrent jobs); the checkpoint never does.
 */
export class Watermark {
  private readonly pending = new Map<string, Array<{ replayId: number; done: boolean }>>();
  private readonly marks = new Map<string, number>();

  /** Registers a delivered event; call the returned function once it is safe to checkpoint past it. */
  track(channel: string, replayId: number, onAdvance: (channel: string, replayId: number) => void): () => void {
    const list = this.pending.get(channel) ?? [];
    this.pending.set(channel, list);
    const entry = { replayId, done: false };
    list.push(entry);
    return () => {
      if (entry.done) return;
      entry.done = true;
      let advanced: number | undefined;
      while (list.length > 0 && list[0]?.done) advanced = list.shift()?.replayId;
      if (advanced === undefined) return;
      const previous = this.marks.get(channel);
      // Never backwards: a redelivered older event finishing late must not rewind the checkpoint.
      if (previous !== undefined && advanced <= previous) return;
      this.marks.set(channel, advanced);
      onAdvance(channel, advanced);
    };
  }

  /** Events delivered but not yet done on a channel (or all channels). */
  outstanding(channel?: string): number {
    if (channel !== undefined) return this.pending.get(channel)?.length ?? 0;
    let total = 0;
    for (const list of this.pending.values()) total += list.length;
    return total;
  }

  mark(channel: string): number | undefined {
    return this.marks.get(channel);
  }

  /** Seeds the mark from a loaded checkpoint so older redeliveries cannot rewind it. */
  seed(channel: string, replayId: number): void {
    this.marks.set(channel, replayId);
  }
}
