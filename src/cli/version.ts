import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NOVA_API_REVISION, NOVA_CELL_REVISION, NOVA_CHECKED_VERSION, NOVA_RELEASE } from '../domain/constants';

/** cellctl's version, from the package.json above this file (src/ in tests, dist/src/ when built). */
export function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

/** What `cellctl --version` prints: cellctl's version, the Nova release it speaks, and that release's two schema revisions. */
export function versionText(): string {
  return [
    `cellctl ${packageVersion()}`,
    `Nova ${NOVA_RELEASE}, checked against Nova ${NOVA_CHECKED_VERSION}`,
    `schema revisions: API ${NOVA_API_REVISION}, cell ${NOVA_CELL_REVISION}`,
  ].join('\n');
}
