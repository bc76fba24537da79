import { z } from 'zod';

/**
 * The renderer checks forms with the contract's zod schemas. zod probes `new Function` for a faster parser
 * when a schema is built, and the strict CSP (no 'unsafe-eval') reports that probe as a violation. Imported
 * first by main.ts, so the setting is in place before any contract module builds a schema.
 */
z.config({ jitless: true });
