// Temporal client wiring for the API and the tools.
import { Client, Connection } from '@temporalio/client';

export * from './temporal-keys.js';

export interface TemporalSettings {
  address: string;
  namespace: string;
}

export async function connectTemporal(settings: TemporalSettings): Promise<Client> {
  const connection = await Connection.connect({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace });
}
