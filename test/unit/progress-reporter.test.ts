import { Writable } from 'node:stream';
import { mappingProgress } from '../../src/cli/commands/instance/map-instances.command';
import {
  createProgress,
  describeProgress,
  formatEta,
  showsSpinner,
  type ProgressStream,
} from '../../src/cli/output/progress-reporter';

/** A stream collecting what is written to it; `isTTY` as given. */
function collector(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  Object.assign(stream, {
    isTTY,
    // The cursor methods a TTY stream has, which ora calls.
    clearLine: () => true,
    cursorTo: () => true,
    moveCursor: () => true,
  });
  return { stream, text: () => chunks.join('') };
}

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('formatEta', () => {
  it.each([
    [0, '0s'],
    [0.2, '1s'],
    [42, '42s'],
    [59.5, '1m00s'],
    [65, '1m05s'],
    [3599, '59m59s'],
    [3720, '1h02m'],
    [90000, '25h00m'],
  ])('%s s -> %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});

describe('describeProgress', () => {
  it('gives counts, percentage, rate and ETA', () => {
    expect(describeProgress(250, 1000, 10_000)).toBe('250/1000 (25%), 25/s, ETA 30s');
    expect(describeProgress(3, 100, 2_000)).toBe('3/100 (3%), 1.5/s, ETA 1m05s');
    expect(describeProgress(1000, 1000, 10_000)).toBe('1000/1000 (100%), 100/s, ETA 0s');
  });

  it('omits percentage and ETA when the total is unknown', () => {
    expect(describeProgress(500, undefined, 5_000)).toBe('500, 100/s');
  });

  it('gives an unknown ETA before any rate is known', () => {
    expect(describeProgress(0, 10, 0)).toBe('0/10 (0%), 0/s, ETA ?');
    expect(describeProgress(0, 0, 0)).toBe('0/0 (100%), 0/s, ETA 0s');
  });
});

describe('createProgress on a stream that is not a TTY', () => {
  it('prints at most one line per interval, then a final line and the success text', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({
      stream: out.stream,
      quiet: false,
      label: 'Mapping instances',
      total: 1000,
      now: c.now,
    });
    c.advance(1_000);
    progress.update(100);
    expect(out.text()).toBe('');
    c.advance(4_000);
    progress.update(500);
    expect(out.text()).toBe('Mapping instances: 500/1000 (50%), 100/s, ETA 5s\n');
    c.advance(1_000);
    progress.update(600);
    progress.log('warning: cell1 has 3 deleted instances');
    c.advance(1_000);
    progress.update(1000);
    progress.succeed('Mapped 1000 instances');
    expect(out.text()).toBe(
      [
        'Mapping instances: 500/1000 (50%), 100/s, ETA 5s',
        'warning: cell1 has 3 deleted instances',
        'Mapping instances: 1000/1000 (100%), 143/s, ETA 0s',
        'Mapped 1000 instances',
        '',
      ].join('\n'),
    );
  });

  it('honours intervalMs, a total given later, and an unknown total', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({
      stream: out.stream,
      quiet: false,
      label: 'Scanning',
      intervalMs: 1_000,
      now: c.now,
    });
    c.advance(1_000);
    progress.update(50);
    c.advance(1_000);
    progress.update(100, 400);
    progress.stop();
    progress.update(200);
    progress.succeed('ignored after stop');
    expect(out.text()).toBe('Scanning: 50, 50/s\nScanning: 100/400 (25%), 50/s, ETA 6s\n');
  });

  it('does not repeat a final line already printed', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: false, label: 'L', total: 10, now: c.now });
    c.advance(5_000);
    progress.update(10);
    progress.fail('failed: cell1 unreachable');
    expect(out.text()).toBe('L: 10/10 (100%), 2/s, ETA 0s\nfailed: cell1 unreachable\n');
  });

  it('appends the latest detail after the counts', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: false, label: 'mapping', total: 10, intervalMs: 1000, now: c.now });
    c.advance(1000);
    progress.update(4, undefined, '3 mapped');
    c.advance(1000);
    progress.update(10);
    progress.succeed('done');
    expect(out.text()).toBe('mapping: 4/10 (40%), 4/s, ETA 2s, 3 mapped\nmapping: 10/10 (100%), 5/s, ETA 0s, 3 mapped\ndone\n');
  });

  it('prints nothing but notices and failures when quiet', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: true, label: 'L', total: 10, now: c.now });
    c.advance(60_000);
    progress.update(5);
    progress.log('warning: something');
    progress.succeed('done');
    expect(out.text()).toBe('warning: something\n');

    const failing = collector(false);
    const other = createProgress({ stream: failing.stream, quiet: true, label: 'L', now: c.now });
    other.update(1);
    other.fail('failed');
    expect(failing.text()).toBe('failed\n');
  });

  it('is quiet on a TTY too', () => {
    const out = collector(true);
    const progress = createProgress({ stream: out.stream, quiet: true, label: 'L', total: 2 });
    progress.update(1);
    progress.succeed('done');
    expect(out.text()).toBe('');
  });
});

describe('createProgress on a TTY', () => {
  it('shows a spinner with counts, logs around it and ends with the success text', () => {
    const out = collector(true);
    const c = clock();
    const progress = createProgress({
      stream: out.stream,
      quiet: false,
      label: 'Mapping instances',
      total: 1000,
      now: c.now,
    });
    try {
      c.advance(2_000);
      progress.update(400);
      progress.log('warning: a notice');
      expect(out.text()).toContain('Mapping instances 400/1000 (40%), 200/s, ETA 3s');
      expect(out.text()).toContain('warning: a notice\n');
      progress.succeed('Mapped 1000 instances');
      expect(out.text()).toContain('Mapped 1000 instances\n');
      expect(out.text()).not.toContain('Mapping instances:');
    } finally {
      progress.stop();
    }
  });
});

/** Escape sequences and carriage returns: what a spinner writes to redraw its line. */
const CONTROL_CODES = /[\x1b\r\x9b]/;

describe('createProgress on a dumb terminal (TERM=dumb)', () => {
  it('prints plain lines, no spinner and no control codes', () => {
    const out = collector(true);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: false, label: 'mapping', total: 100, intervalMs: 1000, now: c.now, env: { TERM: 'dumb' } });
    c.advance(1000);
    progress.update(40);
    progress.log('cellctl: warning: a notice');
    c.advance(1000);
    progress.update(100);
    progress.succeed('mapped 100 instance(s)');
    expect(out.text()).toBe('mapping: 40/100 (40%), 40/s, ETA 2s\ncellctl: warning: a notice\nmapping: 100/100 (100%), 50/s, ETA 0s\nmapped 100 instance(s)\n');
    expect(out.text()).not.toMatch(CONTROL_CODES);
  });

  it('a spinner only on a terminal that is not dumb', () => {
    expect(showsSpinner({ isTTY: true }, {})).toBe(true);
    expect(showsSpinner({ isTTY: true }, { TERM: 'xterm-256color' })).toBe(true);
    expect(showsSpinner({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(showsSpinner({ isTTY: false }, { TERM: 'xterm' })).toBe(false);
    expect(showsSpinner({}, {})).toBe(false);
  });

  it('a stream that is no terminal gets no control codes either, whatever TERM says', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: false, label: 'L', total: 2, now: c.now, env: { TERM: 'xterm' } });
    c.advance(1000);
    progress.update(1);
    progress.fail('failed');
    expect(out.text()).toBe('L: 1/2 (50%), 1/s, ETA 1s\nfailed\n');
  });
});

describe('setLabel', () => {
  it('names what the following counts count', () => {
    const out = collector(false);
    const c = clock();
    const progress = createProgress({ stream: out.stream, quiet: false, label: 'mapping', intervalMs: 1000, now: c.now });
    c.advance(1000);
    progress.update(5, 10);
    progress.setLabel('counting the instances left unmapped');
    c.advance(1000);
    progress.update(30, 40, '10 of 10 mapped (--max-count)');
    progress.succeed('done');
    expect(out.text()).toBe('mapping: 5/10 (50%), 5/s, ETA 1s\ncounting the instances left unmapped: 30/40 (75%), 15/s, ETA 1s, 10 of 10 mapped (--max-count)\ndone\n');
  });
});

describe('mappingProgress (map-instances)', () => {
  it('counts rows examined without --max-count, or with one at least as large as the rows', () => {
    const counts = { examined: 170_000, toExamine: 200_000, found: 170_000, mapped: 160_000 };
    expect(mappingProgress(counts, {})).toEqual({ label: 'mapping', done: 170_000, total: 200_000, detail: '160000 mapped' });
    expect(mappingProgress(counts, { maxCount: 200_000 })).toEqual({ label: 'mapping', done: 170_000, total: 200_000, detail: '160000 mapped' });
    expect(mappingProgress(counts, { dryRun: true, maxCount: 10 })).toEqual({ label: 'counting', done: 170_000, total: 200_000, detail: '170000 unmapped' });
  });

  it('under a smaller --max-count: the mappings to write, of the budget', () => {
    // The run: --max-count 100000 over 200,000 rows printed 170000/200000 (85%) with 100000 mapped.
    expect(mappingProgress({ examined: 85_000, toExamine: 200_000, found: 85_000, mapped: 50_000 }, { maxCount: 100_000 })).toEqual({
      label: 'mapping',
      done: 50_000,
      total: 100_000,
      detail: '85000 of 200000 instances examined',
    });
    expect(mappingProgress({ examined: 170_000, toExamine: 200_000, found: 170_000, mapped: 100_000 }, { maxCount: 100_000 })).toEqual({
      label: 'counting the instances left unmapped',
      done: 170_000,
      total: 200_000,
      detail: '100000 of 100000 mapped (--max-count)',
    });
  });

  it('a re-run with fewer unmapped than the budget: at most what was found or is still unexamined, 100% at the end', () => {
    expect(mappingProgress({ examined: 150_000, toExamine: 200_000, found: 1_000, mapped: 1_000 }, { maxCount: 100_000 })).toMatchObject({ done: 1_000, total: 51_000 });
    expect(mappingProgress({ examined: 200_000, toExamine: 200_000, found: 3_000, mapped: 3_000 }, { maxCount: 100_000 })).toMatchObject({ label: 'mapping', done: 3_000, total: 3_000 });
  });
});
