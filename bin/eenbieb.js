#!/usr/bin/env node
// `npx eenbieb …`: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/cli.ts');
try {
  const code = await main(process.argv.slice(2));
  if (code >= 0) process.exit(code);
} catch (error) {
  const { ConfigError } = await import('../src/platform/config.ts');
  process.stderr.write(`eenbieb: ${error instanceof ConfigError ? 'configuration error: ' : ''}${error?.message ?? error}\n`);
  process.exit(1);
}
