#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's loader, the same code the app bundles.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
await main(process.argv);
