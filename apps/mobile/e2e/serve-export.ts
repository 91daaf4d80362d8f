import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * The address the web export is built with (EXPO_PUBLIC_DEMA_API_URL is inlined into the bundle at
 * build time). One export serves every target: the static server swaps this for the running Dema's
 * address as it serves the files. URL-shaped, so code that parses the address at load time still
 * does; `.invalid` can never resolve, so a file served unreplaced fails loudly instead of reaching
 * some real host.
 */
export const apiUrlPlaceholder = 'https://dema-api-placeholder.invalid';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

// Only these can carry the inlined address; images and fonts are served untouched.
const rewritten = new Set(['.html', '.js', '.mjs', '.json', '.map']);

export interface ServeExportOptions {
  /** The `expo export --platform web` output directory. */
  dir: string;
  /** The Dema the served app calls; may be set later with setApiUrl (the API's CORS needs this server's origin first). */
  apiUrl?: string;
  port?: number;
  host?: string;
}

export interface ServedExport {
  /** This server's origin, e.g. http://127.0.0.1:40123. */
  url: string;
  setApiUrl(url: string): void;
  close(): Promise<void>;
}

/**
 * A small static server for the web export, on an origin of its own (as the app is deployed, apart
 * from the API). A path that names a file serves it; `/a/b` also finds `a/b.html`, `a/b/index.html`
 * and a dynamic route's `a/[id].html` from a static (`web.output: "static"`) export; any other path
 * without a file extension gets index.html, as a single-page export expects. A missing asset (a path
 * with an extension) is a 404, so a broken reference shows as one. Nothing outside `dir` is served.
 * Answers 503 until the API's address is known.
 */
export async function serveExport(options: ServeExportOptions): Promise<ServedExport> {
  const root = path.resolve(options.dir);
  let apiUrl = options.apiUrl;
  const server = createServer((request, response) => {
    void answer(request.url ?? '/', response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(String(error));
    });
  });

  async function answer(requestUrl: string, response: ServerResponse): Promise<void> {
    if (apiUrl === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' }).end('the API address is not set yet');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(requestUrl, 'http://served.invalid').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path');
      return;
    }
    const file = await findFile(root, pathname);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const extension = path.extname(file).toLowerCase();
    let body = await readFile(file);
    if (rewritten.has(extension)) body = Buffer.from(body.toString('utf8').replaceAll(apiUrlPlaceholder, apiUrl));
    response.writeHead(200, {
      'content-type': contentTypes[extension] ?? 'application/octet-stream',
      'content-length': body.length,
      // Each test target serves the same file names with another address inside: never reuse one.
      'cache-control': 'no-store',
    });
    response.end(body);
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    setApiUrl(url) {
      apiUrl = url.replace(/\/+$/, '');
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The file `pathname` names under `root` (see serveExport), or undefined. */
export async function findFile(root: string, pathname: string): Promise<string | undefined> {
  const segments = pathname.split('/').filter((segment) => segment !== '' && segment !== '.');
  // A `..` or a separator inside a segment could step outside the export.
  if (segments.some((segment) => segment === '..' || segment.includes('\\') || segment.includes('\0'))) return undefined;
  const direct = path.join(root, ...segments);
  const candidates = [direct, `${direct}.html`, path.join(direct, 'index.html')];
  for (const candidate of candidates) if (await isFile(candidate)) return candidate;
  const dynamic = await findDynamicRoute(root, segments);
  if (dynamic !== undefined) return dynamic;
  if (path.extname(segments.at(-1) ?? '') !== '') return undefined;
  const index = path.join(root, 'index.html');
  return (await isFile(index)) ? index : undefined;
}

/** A static export's page for a dynamic route: `product/42` → `product/[id].html`. */
async function findDynamicRoute(root: string, segments: string[]): Promise<string | undefined> {
  if (segments.length === 0) return undefined;
  let dir = root;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return undefined;
    }
    if (last) {
      if (entries.includes(`${segment}.html`)) return path.join(dir, `${segment}.html`);
      const page = entries.find((entry) => /^\[[^.\]]+\]\.html$/.test(entry));
      return page === undefined ? undefined : path.join(dir, page);
    }
    const next = entries.includes(segment) ? segment : entries.find((entry) => /^\[[^.\]]+\]$/.test(entry));
    if (next === undefined) return undefined;
    dir = path.join(dir, next);
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
