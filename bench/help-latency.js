#!/usr/bin/env node
'use strict';
/*
 * `cellctl --help` latency (target: under 200 ms median, product.md), measured side by side with
 * the floor, a bare `node -e ''` start, in the same run. Usage: node bench/help-latency.js [runs]
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const runs = Number(process.argv[2] ?? 30);
const cellctl = join(__dirname, '..', 'bin', 'cellctl');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

const rows = [
  ['node -e "" (floor)', time(['-e', ''])],
  ['cellctl --help', time([cellctl, '--help'])],
  ['cellctl db sync --help', time([cellctl, 'db', 'sync', '--help'])],
];
console.log(`runs per row: ${runs}, node ${process.version}`);
console.log('| command | median ms | min ms | max ms |');
console.log('|---|---|---|---|');
for (const [name, r] of rows) console.log(`| ${name} | ${r.median.toFixed(1)} | ${r.min.toFixed(1)} | ${r.max.toFixed(1)} |`);
