import { describe, expect, it } from 'vitest';
import { Watermark } from '../../../src/ingestion/watermark.ts';

describe('Watermark', () => {
  it('advances only past a prefix of finished events, whatever order they finish in', () => {
    const marks: number[] = [];
    const watermark = new Watermark();
    const onAdvance = (_channel: string, replayId: number): number => marks.push(replayId);
    const done = [10, 11, 12, 13].map((id) => watermark.track('/event/A__e', id, onAdvance));
    done[2]?.();
    done[1]?.();
    expect(marks).toEqual([]);
    done[0]?.();
    expect(marks).toEqual([12]);
    done[3]?.();
    expect(marks).toEqual([12, 13]);
    expect(watermark.outstanding()).toBe(0);
  });

  it('keeps channels apart and never moves backwards past a seeded checkpoint', () => {
    const marks: Array<[string, number]> = [];
    const watermark = new Watermark();
    watermark.seed('/event/A__e', 50);
    const onAdvance = (channel: string, replayId: number): number => marks.push([channel, replayId]);
    watermark.track('/event/A__e', 40, onAdvance)();
    watermark.track('/event/B__e', 41, onAdvance)();
    expect(marks).toEqual([['/event/B__e', 41]]);
    expect(watermark.mark('/event/A__e')).toBe(50);
  });

  it('ignores a second completion of the same event', () => {
    const marks: number[] = [];
    const watermark = new Watermark();
    const done = watermark.track('c', 1, (_c, id) => marks.push(id));
    done();
    done();
    expect(marks).toEqual([1]);
  });
});
