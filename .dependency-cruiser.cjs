/**
 * Import boundaries (docs/architecture.md, "Layering"):
 *   contracts ← platform ← monitoring ← services/* ← apps/server; apps/web only under apps/server.
 * `npm run lint:imports` fails on any import that points the other way, on cycles, and on test
 * support reached from src/.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; break it with a port or by moving the shared piece down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contracts-import-nothing-of-ours',
      severity: 'error',
      comment: 'contracts is the bottom layer: schemas, events, permissions, money.',
      from: { path: '^packages/contracts/' },
      to: { path: '^(packages/(platform|monitoring|graphql)|services|apps)/' },
    },
    {
      name: 'platform-imports-only-contracts',
      severity: 'error',
      comment: 'The platform is infrastructure every process needs; it knows no monitoring, service or app.',
      from: { path: '^packages/platform/' },
      to: { path: '^(packages/(monitoring|graphql)|services|apps)/' },
    },
    {
      name: 'monitoring-imports-no-service-or-app',
      severity: 'error',
      from: { path: '^packages/monitoring/' },
      to: { path: '^(services|apps)/' },
    },
    {
      name: 'graphql-imports-no-service-or-app',
      severity: 'error',
      comment: 'The GraphQL API reaches the services through their REST API (an ApiTransport), never their code.',
      from: { path: '^packages/graphql/' },
      to: { path: '^(packages/monitoring|services|apps)/' },
    },
    {
      name: 'no-service-imports-another-service',
      severity: 'error',
      comment:
        'A service reaches another through a port and its HTTP API, never its code (see StockReservations). ' +
        'Exception, tests only: the product, analytics and payment tests start the User service to sign callers in with real tokens.',
      from: { path: '^services/([^/]+)/', pathNot: '^services/(product|analytics|payment)/test/helpers\\.ts$' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'services-import-no-app',
      severity: 'error',
      comment: 'apps/server composes the services; a service never reaches up to it or to the web app.',
      from: { path: '^services/' },
      to: { path: '^apps/' },
    },
    {
      name: 'web-imports-no-server-code',
      severity: 'error',
      comment: 'The web app talks to the API over HTTP only; it shares contracts, nothing else.',
      from: { path: '^apps/web/(app|components|lib)/' },
      to: { path: '^(packages/(platform|monitoring)|services|apps/server)/' },
    },
    {
      name: 'client-imports-only-contracts-and-its-own-deps',
      severity: 'error',
      comment:
        '@dema/client runs in browsers and React Native as well as Node: it shares contracts and uses its declared packages ' +
        '(openapi-fetch, graphql-ws), nothing of the server side and no Node built-in. In Node, a WebSocket is passed in its options.',
      from: { path: '^packages/client/src/' },
      to: {
        pathNot: '^(packages/(client|contracts)/|node_modules/(openapi-fetch|openapi-typescript-helpers|graphql-ws|graphql|typebox)/)',
      },
    },
    {
      name: 'client-imports-no-node-builtin',
      severity: 'error',
      from: { path: '^packages/client/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'src-imports-no-test-support',
      severity: 'error',
      comment: 'Test support lives outside src/ so that nothing shipped depends on it.',
      from: { path: '/src/' },
      to: { path: '(^packages/platform/test-support/|/test/)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|\\.next|\\.dema|/dist/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
