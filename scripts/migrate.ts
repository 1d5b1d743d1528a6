// Applies migrations and seeds the demo login: `npm run migrate` (also the compose `migrate` step).
import { config } from '../lib/config.js';
import { openDatabase } from '../lib/db/data-source.js';
import { seedDemo } from '../lib/db/seed.js';

const settings = config();
if (!settings.DATABASE_URL) {
  console.error('DATABASE_URL is required.');
  process.exit(1);
}
const db = await openDatabase(settings.DATABASE_URL, { migrate: true });
if (!settings.isProduction || process.env.SEED_DEMO === 'true') {
  await seedDemo(db, { email: settings.DEMO_EMAIL, password: settings.DEMO_PASSWORD, businessName: settings.DEMO_BUSINESS_NAME });
}
await db.destroy();
console.log('Database is up to date.');
