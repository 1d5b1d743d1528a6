// The dashboard server's JSON logger (the project's one logger, as service "web").
import { createLogger } from '../../lib/logger.js';

export const logger = createLogger('web');
