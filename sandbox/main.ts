// `tsx sandbox/main.ts`: the provider emulator as its own process, on SANDBOX_PORT (default 8090) and
// SANDBOX_HOST (default 127.0.0.1), its links built from SANDBOX_URL; its state kept in SANDBOX_DATA_DIR
// when set (npm start sets it under DATA_DIR), in memory otherwise.
import { config } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { endpoints } from './app.js';
import { startSandbox } from './server.js';

const logger = createLogger('sandbox');
const settings = config();
const host = process.env.SANDBOX_HOST?.trim() || '127.0.0.1';
const dataDir = process.env.SANDBOX_DATA_DIR?.trim() || undefined;

const sandbox = await startSandbox({
  host,
  port: settings.SANDBOX_PORT,
  publicUrl: settings.SANDBOX_URL,
  logger,
  ...(dataDir ? { dataDir } : {}),
}).catch((error: unknown) => {
  // One clear line (an unreadable state file, a port in use), no stack trace.
  logger.error(
    { event_type: 'sandbox_start_failed', err: error instanceof Error ? error.message : String(error) },
    'sandbox could not start',
  );
  process.exit(1);
});
logger.info(
  {
    event_type: 'sandbox_started',
    listen: sandbox.url,
    public_url: settings.SANDBOX_URL,
    data_dir: dataDir ?? null,
    endpoints: endpoints(sandbox.state),
  },
  'sandbox listening',
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ event_type: 'sandbox_stopping', signal }, 'sandbox stopping');
  try {
    await sandbox.close();
    process.exit(0);
  } catch (error) {
    logger.error({ event_type: 'sandbox_stop_failed', err: error instanceof Error ? error.message : String(error) }, 'sandbox stop failed');
    process.exit(1);
  }
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
