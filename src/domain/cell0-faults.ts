/**
 * Reading cell0: what a buried instance's fault means for an operator (nova-details §2.5) and the
 * ages the cell0 commands filter on.
 */
import { STUCK_REASON } from './stuck-builds';

/** A hint for a fault message of a buried instance, by what Nova's scheduler and conductor write. */
export function faultHint(message: string | null): string {
  if (message === null) return '';
  if (/^Host '.*' is not mapped to any cell$/s.test(message)) return 'host not mapped to a cell: run cellctl host discover';
  if (message === `No valid host was found. ${STUCK_REASON}`) return 'a stuck build, buried later: it was never scheduled (its created_at says since when)';
  if (message.startsWith('No valid host was found. There are not enough hosts available.')) return 'the scheduler filters rejected every host: check zones, groups, aggregates and filters';
  if (message.startsWith('No valid host was found.')) return 'no capacity: no compute host had room for the flavor (hosts, allocation ratios, traits)';
  return '';
}

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** The longest age taken: 1,000 years (a date further back than that is not a date). */
export const MAX_AGE_SECONDS = 1000 * 366 * 86_400;

/** Seconds in an age such as `90`, `45s`, `30m`, `12h`, `7d` or `2w` (at most MAX_AGE_SECONDS); undefined when it is not one. */
export function parseAge(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([smhdw]?)\s*$/.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[1]) * AGE_UNITS[m[2] || 's']!;
  return seconds <= MAX_AGE_SECONDS ? seconds : undefined;
}

/** An age in the largest whole unit (`3d`, `5h`, `42s`), for listings. */
export function formatAge(seconds: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) if (seconds >= AGE_UNITS[unit]!) return `${Math.floor(seconds / AGE_UNITS[unit]!)}${unit}`;
  return `${Math.max(0, Math.floor(seconds))}s`;
}

/** How old a row is at `now` by its timestamp column (UTC, as Nova stores it), for listings; null without one. */
export function ageAt(timestamp: string | null, now: Date): string | null {
  return timestamp === null ? null : formatAge((now.getTime() - Date.parse(`${timestamp.replace(' ', 'T')}Z`)) / 1000);
}
