// The API process.
import { assertProductionReady, config } from '../lib/config.js';
import { openDatabase } from '../lib/db/data-source.js';
import { createLogger } from '../lib/logger.js';
import { initSentry, Sentry } from '../lib/sentry.js';
import { connectTemporal } from '../lib/temporal.js';
import { createApp } from './app.js';
import { answerParserErrorsInJson } from './errors.js';

const settings = config();
assertProductionReady(settings, 'api');
const logger = createLogger('api', { level: settings.LOG_LEVEL });
initSentry(settings, 'api');

if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required for the API.');
const db = await openDatabase(settings.DATABASE_URL);
const temporal = await connectTemporal({ address: settings.TEMPORAL_ADDRESS, namespace: settings.TEMPORAL_NAMESPACE });
const app = createApp({ db, temporal, config: settings, logger });
// Unhandled errors (500s) reach Sentry from the app's error handler (api/errors.ts), with the request's
// user and business; Sentry's own Express handler would sit after it and never see them.

const server = app.listen(settings.API_PORT, () => {
  logger.info({ event_type: 'api_started', port: settings.API_PORT }, `API listening on :${settings.API_PORT}`);
});
answerParserErrorsInJson(server);
server.on('error', (error) => {
  logger.fatal({ err: error, event_type: 'api_listen_failed' }, `API could not listen on :${settings.API_PORT}`);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => {
      void (async () => {
        await temporal.connection.close();
        await db.destroy();
        await Sentry.close(2_000);
        process.exit(0);
      })();
    });
    server.closeAllConnections();
  });
}
