// Installs dependencies when a fresh clone has none (or package.json changed since the last install),
// so `npm start` and `npm test` work as the first command. Plain JS: it runs before tsx exists.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const lock = 'node_modules/.package-lock.json';
const stale = !existsSync(lock) || statSync('package.json').mtimeMs > statSync(lock).mtimeMs;
if (stale) {
  console.log('Installing dependencies...');
  // install rather than ci: it keeps the locked versions, and records a dependency just added to package.json.
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
