// `npm start`: the web demo (examples/web-demo) on Vite's dev server, straight from the TypeScript
// sources of the packages (no build needed). PORT (default 5173) and HOST (default 127.0.0.1)
// choose where it listens.
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const configFile = fileURLToPath(new URL('../examples/web-demo/vite.config.ts', import.meta.url));
const host = process.env.HOST || '127.0.0.1';
const port = process.env.PORT ? Number(process.env.PORT) : 5173;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`crazy-digits: PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(1);
}

const server = await createServer({
  configFile,
  // An explicit PORT is taken or the start fails; the default moves on to the next free port.
  server: { host, port, strictPort: process.env.PORT !== undefined },
});
await server.listen();
console.log('\n  crazy-digits web demo: draw a digit, correct it, watch the model learn.');
server.printUrls();
console.log('\n  Press Ctrl+C to stop.\n');

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
