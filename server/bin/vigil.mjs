#!/usr/bin/env node
// The `vigil` command. Vigil runs its TypeScript sources directly through tsx, so there is no
// server build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
