/**
 * Child process: serves one variant of the benchmark app on a loopback port.
 * Usage (from run.mjs, with an IPC channel): node server.mjs <express|fastify> <none|enable-cors|module> <routes>
 */
import { createBenchApp } from './app.mjs';

const [adapterName, variant, routes] = process.argv.slice(2);

const app = await createBenchApp(adapterName, variant, Number(routes));
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();

function stop() {
  // Exits without closing keep-alive sockets first; --cpu-prof still writes its profile.
  process.exit(0);
}

process.on('message', (message) => {
  if (message?.type === 'stop') stop();
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
process.send({ type: 'ready', port });
