import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const workspaceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The web app reads the API's address at run time (lib/config.ts), never at build time, so one
 * build serves any installation. The workspace packages (contracts, the typed client) ship TypeScript sources, hence transpiled.
 */
const nextConfig: NextConfig = {
  transpilePackages: ['@dema/contracts', '@dema/client'],
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root: workspaceRoot },
  outputFileTracingRoot: workspaceRoot,
  // Types are checked by `tsc -p apps/web` in CI; a build (also the one `npm start` may run) must
  // not fail on a type error in a workspace package it merely imports.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
        ],
      },
    ];
  },
};

export default nextConfig;
