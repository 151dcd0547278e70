#!/usr/bin/env node
// Entry point of the `x64spec` command. The project is written in TypeScript and run
// without a build step: tsx's loader compiles each module on import.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
