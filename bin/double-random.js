#!/usr/bin/env node
// Entry point of the `double-random` command. The sources are TypeScript run through tsx,
// so the loader is registered before the CLI is imported.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
