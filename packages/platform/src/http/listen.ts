import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { DemaApp } from './server.ts';

export interface ListenOptions {
  host: string;
  port: number;
  /** Handles that accept on the listening socket (default 32); 1 is a plain `app.listen`. */
  acceptors?: number;
}

/**
 * Since libuv 1.45 (Node 20) a listening handle accepts one connection per event-loop iteration
 * (libuv PR #3696). A saturated process serving ~1,000 requests an iteration then takes a burst of
 * new connections at a handful a second: measured here, 1000 connections opened at once to a busy
 * server left ~500 waiting over 10 s. Each extra handle on the same socket accepts one more per
 * iteration, and costs one failed accept() per extra handle when a lone connection arrives.
 */
const defaultAcceptors = 32;

// A deep accept backlog: a burst of new connections queues instead of being dropped and retried.
const backlog = 4096;

// Echoes every handle it is sent straight back: each comes back as a new descriptor of the same
// socket. A raw handle (not a net.Server) is passed, so this process never listens or accepts.
const echoHandles = `process.on('message', (message, handle) => process.send(message, handle));`;

/**
 * `app.listen` (deep backlog), then `acceptors - 1` more handles on the same listening socket that
 * hand their connections to the app's HTTP server, so a burst of new connections to a busy process
 * is accepted `acceptors` at a time. Node 20 has no SO_REUSEPORT and no dup(); a short-lived child
 * process sending the handle back over IPC is how a process gets more descriptors of its own
 * socket. The extra handles stop accepting when the app closes (preClose), before it drains.
 * It adds a hook, so call it on an app that is not ready yet, in place of `app.listen`.
 */
export async function listen(app: DemaApp, options: ListenOptions): Promise<string> {
  const acceptors = process.platform === 'win32' ? 1 : Math.max(1, options.acceptors ?? defaultAcceptors);
  const extra: Server[] = [];
  // close() stops the handle accepting at once; its callback would wait for the connections it
  // accepted, which the app's own close drains, so it is not awaited.
  app.addHook('preClose', (done) => {
    for (const server of extra) server.close();
    done();
  });
  const url = await app.listen({ host: options.host, port: options.port, backlog });
  if (acceptors === 1) return url;

  const handle = (app.server as unknown as { _handle: object })._handle;
  const echo = spawn(process.execPath, ['-e', echoHandles], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Nothing of ours (NODE_OPTIONS, the tsx loader) is needed to run one line of JavaScript.
    env: {} as NodeJS.ProcessEnv,
  });
  const gone = new Promise<never>((_, reject) => {
    echo.once('error', reject);
    echo.once('exit', (code, signal) => reject(new Error(`the handle echo exited (${signal ?? code})`)));
  });
  gone.catch(() => undefined);
  try {
    for (let i = 1; i < acceptors; i++) {
      const received = new Promise<object>((resolve) => echo.once('message', (_message, copy) => resolve(copy as object)));
      echo.send('listen', handle as never);
      const copy = await Promise.race([received, gone]);
      // Same Nagle setting as Node's HTTP server gives the connections it accepts itself.
      const acceptor = createServer({ noDelay: true }, (socket) => app.server.emit('connection', socket));
      await new Promise<void>((resolve, reject) => acceptor.once('error', reject).listen(copy as never, backlog, resolve));
      extra.push(acceptor);
    }
  } catch (error) {
    // Still serving, only slower to take a burst of new connections: not worth failing the start.
    app.log.warn({ err: error, acceptors: extra.length + 1 }, 'could not open more accepting handles');
  } finally {
    // Its copies of the socket must be gone before the app is said to listen: a closed app must
    // leave nothing accepting on the port.
    if (echo.exitCode === null && echo.signalCode === null) {
      const exited = new Promise((resolve) => echo.once('exit', resolve));
      echo.kill();
      await exited;
    }
  }
  return url;
}
