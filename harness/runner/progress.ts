/**
 * A one-line progress bar on stderr, drawn only when stderr is a terminal (never in
 * CI logs or when piped), at most ten times a second.
 */
export interface Progress {
  add(done: number, failed: number): void;
  finish(): void;
}

const NONE: Progress = { add() {}, finish() {} };

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total === 0) return NONE;
  let done = 0;
  let bad = 0;
  let last = 0;
  const start = performance.now();
  const draw = (): void => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const filled = Math.round((done / total) * width);
    const rate = done / Math.max(0.001, (performance.now() - start) / 1000);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${bad} bad ${Math.round(rate)}/s\x1b[K`);
  };
  return {
    add(n, failed) {
      done += n;
      bad += failed;
      const now = performance.now();
      if (now - last > 100 || done === total) {
        last = now;
        draw();
      }
    },
    finish() {
      draw();
      stream.write('\n');
    },
  };
}
