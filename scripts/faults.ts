// `npm run test:faults`: the fault suite against the real processes (test/faults/suite.ts), then its
// table. Exits 1 when any check fails. Options: --seed N, --accounts N (per platform), --outage S
// (seconds Postgres stays down), --cycles N, --short (the `npm test` size), --keep (keep the data dir).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../test/faults/checks.js';
import { FULL_RUN, SHORT_RUN, runFaultSuite } from '../test/faults/suite.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    accounts: { type: 'string' },
    outage: { type: 'string' },
    cycles: { type: 'string' },
    short: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const base = values.short ? SHORT_RUN : FULL_RUN;
const dataDir = mkdtempSync(path.join(tmpdir(), 'social-sync-faults-'));
chmodSync(dataDir, 0o755); // embedded Postgres runs as the postgres user when we are root
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);

const command = `npm run test:faults --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
let code = 1;
let keep = values.keep;
try {
  const report = await runFaultSuite({
    ...base,
    seed,
    dataDir,
    ...(values.accounts ? { accountsPerPlatform: Number(values.accounts) } : {}),
    ...(values.outage ? { outageSeconds: Number(values.outage) } : {}),
    ...(values.cycles ? { cycles: Number(values.cycles) } : {}),
  });
  console.log(`
Fault suite: ${report.ok ? 'PASSED' : 'FAILED'}
  command   ${command.replace(/ --$/, '')}
  seed      ${report.seed} (repeat with --seed ${report.seed})
  duration  ${(report.durationMs / 60_000).toFixed(1)} min
  accounts  ${report.accounts}
  faults    ${report.faults.length}
${report.faults.map((f) => `    - ${f}`).join('\n')}

${formatTable(report.rows)}`);
  code = report.ok ? 0 : 1;
  keep ||= !report.ok;
} catch (error) {
  console.error(`The fault suite could not run (seed ${seed}): ${(error as Error).stack ?? String(error)}`);
  keep = true;
} finally {
  if (keep) console.log(`data and logs kept in ${dataDir}`);
  else rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
