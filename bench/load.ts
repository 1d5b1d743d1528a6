// A small closed-loop load generator, run as its own process so it does not share the event loop of
// what it measures: `node --import tsx bench/load.ts '<json>'` with { url, connections, seconds, headers }.
// Prints one JSON line: requests, errors, p50/p99 (ms), req/s, and how many answers said `"stale":true`.
interface LoadInput {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

interface LoadResult {
  requests: number;
  errors: number;
  stale: number;
  p50: number;
  p99: number;
  rps: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : NaN;

async function run(input: LoadInput): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let stale = 0;
  const end = Date.now() + input.seconds * 1000;
  const loop = async () => {
    while (Date.now() < end) {
      const started = performance.now();
      try {
        const res = await fetch(input.url, { headers: input.headers, signal: AbortSignal.timeout(30_000) });
        const body = await res.text();
        latencies.push(performance.now() - started);
        if (res.status >= 400) errors++;
        else if (body.includes('"stale":true')) stale++;
      } catch {
        errors++;
      }
    }
  };
  const began = Date.now();
  await Promise.all(Array.from({ length: input.connections }, loop));
  const elapsed = (Date.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: latencies.length,
    errors,
    stale,
    p50: round(percentile(latencies, 0.5)),
    p99: round(percentile(latencies, 0.99)),
    rps: Math.round(latencies.length / elapsed),
  };
}

export {};

if (process.argv[2]) console.log(JSON.stringify(await run(JSON.parse(process.argv[2]) as LoadInput)));
