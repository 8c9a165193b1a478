import type { Writable } from 'node:stream';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** What the runner tells the indicator; the CLI draws it, the smoke test collects it. */
export interface ProgressSink {
  begin(benchmark: string, position: number, total: number): void;
  update(detail: string): void;
  end(benchmark: string, seconds: number): void;
}

export const silentProgress: ProgressSink = { begin() {}, update() {}, end() {} };

/**
 * A one-line spinner on a TTY (redrawn at most every 80 ms), plain lines otherwise (CI logs). Writes to stderr so
 * stdout carries only the table.
 */
export function streamProgress(stream: Writable & { isTTY?: boolean; columns?: number }): ProgressSink {
  const tty = stream.isTTY === true;
  let label = '';
  let frame = 0;
  let lastDraw = 0;
  const draw = (detail: string): void => {
    const now = Date.now();
    if (now - lastDraw < 80) return;
    lastDraw = now;
    const text = `${FRAMES[frame++ % FRAMES.length]} ${label} ${detail}`.slice(
      0,
      Math.max(20, (stream.columns ?? 100) - 1),
    );
    stream.write(`\r\u001b[2K${text}`);
  };
  return {
    begin(benchmark, position, total) {
      label = `[${position}/${total}] ${benchmark}:`;
      if (tty) draw('starting');
      else stream.write(`${label} starting\n`);
    },
    update(detail) {
      if (tty) draw(detail);
      else stream.write(`${label} ${detail}\n`);
    },
    end(benchmark, seconds) {
      const line = `✓ ${benchmark} (${seconds.toFixed(1)} s)`;
      stream.write(tty ? `\r\u001b[2K${line}\n` : `${line}\n`);
      lastDraw = 0;
    },
  };
}
