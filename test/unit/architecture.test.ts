/**
 * The layering rules of docs/architecture.md, checked on every run rather than by hand:
 * imports point cli -> services -> db, domain is usable by all and imports nothing else. The
 * checks only the compiler can make are in test/types (npm run check:layering).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

interface SourceFile {
  path: string;
  layer: string;
  text: string;
  imports: string[];
}

const FILES: SourceFile[] = sourceFiles(SRC).map((path) => {
  const text = readFileSync(path, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|require\(|import\()\s*'([^']+)'/g)].map((m) => m[1]);
  const imports = specifiers.map((s) => (s.startsWith('.') ? `src/${relative(SRC, resolve(dirname(path), s))}` : s));
  return { path: relative(SRC, path), layer: relative(SRC, path).split('/')[0], text, imports };
});

const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

const withoutImports = (text: string): string => code(text).replace(/^import .*$/gm, '');

/** Every long flag the modern front defines (in .option(...) / new Option(...) calls under src/cli). */
const MODERN_FLAGS = [
  ...new Set(
    FILES.filter((f) => f.layer === 'cli').flatMap((f) => [...f.text.matchAll(/(?:option|Option)\(\s*'(?:-\w, )?(--[a-z][a-z-]+)/g)].map((m) => m[1])),
  ),
];

function offenders(predicate: (f: SourceFile) => string | undefined): string[] {
  return FILES.flatMap((f) => {
    const why = predicate(f);
    return why ? [`${f.path}: ${why}`] : [];
  });
}

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(FILES.length).toBeGreaterThan(20);
  });

  it('keeps imports pointing cli -> services -> db, with domain usable by all', () => {
    const allowed: Record<string, string[]> = {
      'main.ts': ['cli'],
      cli: ['cli', 'services', 'domain', 'config'],
      services: ['services', 'db', 'domain'],
      db: ['db', 'domain'],
      config: ['config', 'domain'],
      domain: ['domain'],
    };
    expect(
      offenders((f) => {
        const bad = f.imports.filter((i) => i.startsWith('src/') && !allowed[f.layer].includes(i.split('/')[1] ?? ''));
        return bad.length ? `imports ${bad.join(', ')}` : undefined;
      }),
    ).toEqual([]);
  });

  it('keeps kysely and SQL out of src/cli, and drivers inside src/db', () => {
    expect(offenders((f) => (f.layer !== 'db' && f.layer !== 'services' && f.imports.includes('kysely') ? 'imports kysely' : undefined))).toEqual([]);
    expect(offenders((f) => (f.layer === 'cli' && /\b(SELECT|INSERT|UPDATE|DELETE)\s+\w/.test(code(f.text)) ? 'contains SQL' : undefined))).toEqual([]);
    expect(
      offenders((f) => (f.layer !== 'db' && f.imports.some((i) => /^(mysql2|better-sqlite3)/.test(i)) ? 'imports a database driver' : undefined)),
    ).toEqual([]);
  });

  it('lets only src/db/dialect.ts know driver error codes', () => {
    expect(
      offenders((f) =>
        f.path !== 'db/dialect.ts' && /'(ER_[A-Z_]+|SQLITE_[A-Z_]+|ECONNREFUSED)'/.test(code(f.text)) ? 'names a driver error code' : undefined,
      ),
    ).toEqual([]);
  });

  it('lets only src/cli/output import ora, cli-table3 and yaml', () => {
    expect(
      offenders((f) =>
        !f.path.startsWith('cli/output/') && f.imports.some((i) => ['ora', 'cli-table3', 'yaml'].includes(i)) ? 'imports an output library' : undefined,
      ),
    ).toEqual([]);
  });

  it('keeps process.* out of services, db, domain and config, and exit codes in main.ts', () => {
    expect(
      offenders((f) => (['services', 'db', 'domain', 'config'].includes(f.layer) && /\bprocess\./.test(code(f.text)) ? 'uses process.*' : undefined)),
    ).toEqual([]);
    expect(offenders((f) => (/\bprocess\.exit\(/.test(code(f.text)) ? 'calls process.exit()' : undefined))).toEqual([]);
    expect(offenders((f) => (f.path !== 'main.ts' && /\bprocess\.exitCode\b/.test(code(f.text)) ? 'sets process.exitCode' : undefined))).toEqual([]);
    expect(offenders((f) => (f.layer !== 'cli' && /\bconsole\./.test(code(f.text)) ? 'prints with console' : undefined))).toEqual([]);
  });

  it('has no default exports and no utils grab-bags', () => {
    expect(offenders((f) => (/export default/.test(f.text) ? 'default export' : undefined))).toEqual([]);
    expect(offenders((f) => (/utils?\.ts$/.test(f.path) ? 'utils file' : undefined))).toEqual([]);
  });

  it('runs cells through one scatter: no other loop over cells or databases in src/services', () => {
    expect(
      offenders((f) =>
        f.layer === 'services' &&
        f.path !== 'services/cell-execution.ts' &&
        /mapBounded|Promise\.\w+\((cells|targets)|(cells|targets)\.map\(async|for (await )?\(const (cell|target) of /.test(code(f.text))
          ? 'loops over cells or databases outside scatter'
          : undefined,
      ),
    ).toEqual([]);
  });

  it('keeps services front-neutral: no modern flag named in services or domain errors', () => {
    expect(MODERN_FLAGS).toEqual(expect.arrayContaining(['--cell', '--all-cells', '--database-connection', '--dry-run']));
    expect(
      offenders((f) => {
        const named = ['services', 'domain'].includes(f.layer) ? MODERN_FLAGS.filter((flag) => new RegExp(`${flag}\\b`).test(code(f.text))) : [];
        return named.length ? `names ${named.join(', ')}` : undefined;
      }),
    ).toEqual([]);
  });

  it('lets no service or repository branch on a dialect name: they ask the adapter', () => {
    expect(
      offenders((f) =>
        (f.layer === 'services' || f.path.endsWith('.repository.ts')) && /\bdialect\b|'(mysql|sqlite)'/.test(withoutImports(f.text)) ? 'branches on a dialect' : undefined,
      ),
    ).toEqual([]);
  });

  it('has one transaction mechanism: only the unit of work begins and commits', () => {
    expect(
      offenders((f) =>
        !['db/unit-of-work.ts', 'db/dialect-adapter.ts'].includes(f.path) && /\.transaction\(\)|\bBEGIN\b|\bCOMMIT\b|GET_LOCK/.test(code(f.text)) ? 'opens a transaction' : undefined,
      ),
    ).toEqual([]);
  });
});
