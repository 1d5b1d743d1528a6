// A Sentry ingest on 127.0.0.1 for tests: the real SDK sends its envelopes here (DSN
// http://public@127.0.0.1:PORT/1) and the test reads them back, raw (for leak scans) and parsed.
// It runs in a child process: in the test's own process the SDK would instrument it, and every
// envelope it received would make a span, sent as another envelope.
import { spawn, type ChildProcess } from 'node:child_process';

interface EnvelopeItem {
  type: string;
  header: Record<string, unknown>;
  payload: any;
}

export interface SentryIngest {
  dsn: string;
  /** Fetches what arrived so far (call after Sentry.flush()). */
  refresh(): Promise<void>;
  /** Every envelope body received, decompressed, concatenated. */
  raw(): string;
  items(type?: string): EnvelopeItem[];
  /** Error and message events. */
  events(): any[];
  close(): Promise<void>;
}

/** Parses an envelope: a header line, then items, each a header line and a payload (length-prefixed or a line). */
function parseEnvelope(body: Buffer): EnvelopeItem[] {
  const items: EnvelopeItem[] = [];
  let offset = body.indexOf(0x0a);
  if (offset === -1) return items;
  offset += 1;
  while (offset < body.length) {
    let end = body.indexOf(0x0a, offset);
    if (end === -1) end = body.length;
    const headerText = body.subarray(offset, end).toString('utf8').trim();
    offset = end + 1;
    if (!headerText) continue;
    const header = JSON.parse(headerText) as Record<string, unknown>;
    let payloadBytes: Buffer;
    if (typeof header.length === 'number') {
      payloadBytes = body.subarray(offset, offset + header.length);
      offset += header.length + 1;
    } else {
      let payloadEnd = body.indexOf(0x0a, offset);
      if (payloadEnd === -1) payloadEnd = body.length;
      payloadBytes = body.subarray(offset, payloadEnd);
      offset = payloadEnd + 1;
    }
    const text = payloadBytes.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // attachments and other binary payloads stay as text
    }
    items.push({ type: String(header.type), header, payload });
  }
  return items;
}

// The child: POST /api/<project>/envelope/ stores the decompressed body; GET /received lists them.
const SERVER = `
const http = require('node:http');
const zlib = require('node:zlib');
const bodies = [];
const decode = (body, encoding) =>
  encoding === 'gzip' ? zlib.gunzipSync(body) : encoding === 'deflate' ? zlib.inflateSync(body) : encoding === 'br' ? zlib.brotliDecompressSync(body) : body;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/received') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(bodies));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      bodies.push(decode(Buffer.concat(chunks), req.headers['content-encoding']).toString('base64'));
    } catch (error) {
      bodies.push(Buffer.from('unreadable envelope: ' + error.message).toString('base64'));
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log('port=' + server.address().port));
process.on('disconnect', () => process.exit(0));
`;

export async function startSentryIngest(): Promise<SentryIngest> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const match = /port=(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the Sentry ingest exited with ${code}`)));
  });
  let bodies: Buffer[] = [];
  let parsed: EnvelopeItem[] = [];
  const base = `http://127.0.0.1:${port}`;
  return {
    dsn: `http://public@127.0.0.1:${port}/1`,
    async refresh() {
      const received = (await (await fetch(`${base}/received`)).json()) as string[];
      bodies = received.map((b) => Buffer.from(b, 'base64'));
      parsed = bodies.flatMap((b) => parseEnvelope(b));
    },
    raw: () => bodies.map((b) => b.toString('utf8')).join('\n'),
    items: (type) => (type ? parsed.filter((i) => i.type === type) : [...parsed]),
    events: () => parsed.filter((i) => i.type === 'event').map((i) => i.payload),
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
