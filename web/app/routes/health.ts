// Liveness of the dashboard process itself, for container health checks. It does not call the API.
export const loader = () => new Response('ok', { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
