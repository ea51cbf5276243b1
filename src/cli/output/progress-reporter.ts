/**
 * Progress reporting for long work (mapping instances, migrations): an ora spinner with counts,
 * rate and ETA on a terminal, plain periodic lines otherwise (also on a terminal that says
 * TERM=dumb), nothing but warnings when quiet.
 */
import type OraModule from 'ora';

// NOTE: ora (and its dependencies) load only when a spinner is shown: `cellctl --help` and every
// run that is not on a TTY never need it, and start-up time is a target (docs/performance.md).
const ora = (...args: Parameters<typeof OraModule>): ReturnType<typeof OraModule> => (require('ora') as typeof OraModule)(...args);

/** A stream progress is written to (stderr in the CLI); `isTTY` selects the spinner. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean };

/** Options of createProgress; `now` (milliseconds) is injectable for tests. */
export interface ProgressOptions {
  stream: ProgressStream;
  quiet: boolean;
  label: string;
  /** The run's environment: TERM=dumb means plain lines even on a terminal. */
  env?: Record<string, string | undefined>;
  total?: number;
  intervalMs?: number;
  now?: () => number;
}

/**
 * Reports progress of one piece of work. Call exactly one of succeed/fail/stop at the end:
 * on a TTY the spinner's timer keeps the process alive until then.
 */
export interface ProgressReporter {
  /** Records `done` items (and the total, when it becomes known or changes); `detail` follows the counts. */
  update(done: number, total?: number, detail?: string): void;
  /** Names what the counts count from now on (the label lines and the spinner start with). */
  setLabel(label: string): void;
  /** Prints a notice line (also when quiet) without breaking the spinner. */
  log(line: string): void;
  /** Ends with a success line (suppressed when quiet). */
  succeed(text: string): void;
  /** Ends with a failure line (printed even when quiet). */
  fail(text: string): void;
  /** Ends without a message (the spinner is cleared). */
  stop(): void;
}

/** How often, by default, a progress line is printed when the stream is not a TTY. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

// NOTE: setting an ora spinner's text measures it; a million updates should not do that a million times.
const TTY_REFRESH_MS = 100;

/**
 * Returns a reporter writing to `options.stream` only: an ora spinner on a TTY, else a line
 * `<label>: <done>/<total> (<pct>%), <rate>/s, ETA <eta>` at most once per interval plus a final one.
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const { stream, quiet } = options;
  let label = options.label;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
  const startedAt = now();
  let total = options.total;
  let done = 0;
  let finished = false;
  let unprinted = false;
  let lastPrintAt = startedAt;
  let lastTextAt = Number.NEGATIVE_INFINITY;

  const spinner =
    showsSpinner(stream, options.env ?? {}) && !quiet
      ? ora({
          text: label,
          stream,
          isEnabled: true,
          // NOTE: cli-cursor would also restore the cursor on process.stderr at exit; we write
          // only to the stream we are given, so the cursor stays visible.
          hideCursor: false,
          discardStdin: false,
        }).start()
      : undefined;

  let detail = '';
  const counts = (at: number): string => `${describeProgress(done, total, at - startedAt)}${detail ? `, ${detail}` : ''}`;
  const writeLine = (line: string): void => {
    stream.write(line.endsWith('\n') ? line : `${line}\n`);
  };
  const finish = (): boolean => {
    if (finished) {
      return false;
    }
    finished = true;
    if (spinner === undefined && !quiet && unprinted) {
      writeLine(`${label}: ${counts(now())}`);
    }
    return true;
  };

  return {
    update(value: number, newTotal?: number, newDetail?: string): void {
      if (finished) {
        return;
      }
      done = value;
      if (newDetail !== undefined) {
        detail = newDetail;
      }
      if (newTotal !== undefined) {
        total = newTotal;
      }
      unprinted = true;
      if (quiet) {
        return;
      }
      const at = now();
      if (spinner !== undefined) {
        if (at - lastTextAt >= TTY_REFRESH_MS || (total !== undefined && done >= total)) {
          spinner.text = `${label} ${counts(at)}`;
          lastTextAt = at;
        }
      } else if (at - lastPrintAt >= intervalMs) {
        writeLine(`${label}: ${counts(at)}`);
        lastPrintAt = at;
        unprinted = false;
      }
    },

    setLabel(text: string): void {
      if (text === label) return;
      label = text;
      // The spinner shows the new label with the next counts.
      lastTextAt = Number.NEGATIVE_INFINITY;
    },

    log(line: string): void {
      if (spinner !== undefined && spinner.isSpinning) {
        spinner.clear();
        writeLine(line);
        spinner.render();
      } else {
        writeLine(line);
      }
    },

    succeed(text: string): void {
      if (!finish()) {
        return;
      }
      if (spinner !== undefined) {
        spinner.succeed(text);
      } else if (!quiet) {
        writeLine(text);
      }
    },

    fail(text: string): void {
      if (!finish()) {
        return;
      }
      if (spinner !== undefined) {
        spinner.fail(text);
      } else {
        writeLine(text);
      }
    },

    stop(): void {
      if (finish()) {
        spinner?.stop();
      }
    },
  };
}

/**
 * True when progress may draw a spinner on `stream`: a terminal whose TERM is not `dumb` (a dumb
 * terminal cannot erase a line, so a spinner would print its frames and control codes).
 */
export function showsSpinner(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * Returns `<done>/<total> (<pct>%), <rate>/s, ETA <eta>`, or `<done>, <rate>/s` when the total
 * is unknown; the rate is over `elapsedMs`, and the ETA is `?` while the rate is still zero.
 */
export function describeProgress(done: number, total: number | undefined, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const rateText = rate < 10 ? String(Math.round(rate * 10) / 10) : String(Math.round(rate));
  if (total === undefined) {
    return `${done}, ${rateText}/s`;
  }
  const pct = total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
  const remaining = Math.max(total - done, 0);
  let eta: string;
  if (remaining === 0) {
    eta = formatEta(0);
  } else if (rate > 0) {
    eta = formatEta(remaining / rate);
  } else {
    eta = '?';
  }
  return `${done}/${total} (${pct}%), ${rateText}/s, ETA ${eta}`;
}

/** Returns a duration in seconds as `42s`, `1m05s` or `1h02m` (rounded up to the second). */
export function formatEta(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  if (whole < 60) {
    return `${whole}s`;
  }
  if (whole < 3600) {
    return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.floor(whole / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
