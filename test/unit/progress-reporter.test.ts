import { Writable } from 'node:stream';
import {
  createProgress,
  describeProgress,
  formatEta,
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
