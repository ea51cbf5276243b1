#!/usr/bin/env node
'use strict';
/*
 * Writes dist/man/cellctl.1, the man page package.json's "man" installs, from the built program
 * (run by npm run build after tsc), so the page cannot drift from the commands and their options.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');
const { CliContext } = require(join(dist, 'src', 'cli', 'cli-context.js'));
const { buildProgram } = require(join(dist, 'src', 'cli', 'program.js'));
const { renderManPage } = require(join(dist, 'src', 'cli', 'man-page.js'));

const program = buildProgram(new CliContext({ stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '/', homeDir: '/' }));
mkdirSync(join(dist, 'man'), { recursive: true });
writeFileSync(join(dist, 'man', 'cellctl.1'), renderManPage(program));
