/**
 * Starts the server from environment variables (see the README) and stops it gracefully on
 * SIGTERM or SIGINT: no new connections, requests in flight get `SHUTDOWN_TIMEOUT_MS` to finish,
 * stores close. Past that deadline, or on a second signal, the process exits at once.
 */
import { configFromEnv } from './config.js';
import { buildServer } from './server.js';

const config = configFromEnv();
const app = await buildServer(config);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      app.log.warn(
        { timeoutMs: config.shutdownTimeoutMs },
        'requests still in flight at the deadline; exiting',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    app.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

await app.listen({ port: config.port, host: config.host });
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
console.log(`crazy-digits server listening on http://${host}:${port} (API docs at /docs)`);
