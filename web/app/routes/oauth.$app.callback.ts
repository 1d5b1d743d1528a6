// Where the API hands a provider's answer to finish connecting in the browser that started it (decision 015).
import { oauthCallbackLoader } from '../connections.server.js';

export const loader = oauthCallbackLoader;
