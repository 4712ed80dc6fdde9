// Medians and the printed lines every benchmark shares.
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Milliseconds one call takes. */
export function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export function line(label: string, xs: number[]): void {
  console.log(`${label.padEnd(44)} median ${median(xs).toFixed(2).padStart(8)} ms  (min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}, n ${xs.length})`);
}

/** "ratio 12.3x (goal >= 10x: met)" */
export function goal(label: string, value: number, target: string, met: boolean): void {
  console.log(`${label.padEnd(44)} ${value.toFixed(2)}x  (goal ${target}: ${met ? 'met' : 'NOT met'})`);
}

export function runsArg(fallback: number): number {
  const i = process.argv.indexOf('--runs');
  return (i > 0 && Number(process.argv[i + 1])) || fallback;
}
