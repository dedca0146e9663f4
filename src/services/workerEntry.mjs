// Entry of a pool thread when the service runs from TypeScript sources (tsx, vitest): registers
// the TypeScript loader in this thread — once, since pool threads are long-lived — then runs the
// TypeScript module named in workerData. The compiled service (dist/) starts its threads on the
// compiled serviceWorker.js directly and never loads this file (see workers.ts).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__module);
