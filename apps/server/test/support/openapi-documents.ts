import { createMonitoring } from '@dema/monitoring';
import { buildApp, type ServiceName } from '@dema/platform';
import { testTargets } from '@dema/platform/testing';
import type { OpenApiDocument } from '@dema/gateway';
import { startTestGateway } from '@dema/gateway/testing';
import { allInOneServices } from '../../src/services.ts';
import { startAllInOne } from './all-in-one.ts';

/** The two OpenAPI documents Dema serves: the all-in-one process's and the cluster gateway's merged one. */
export interface OpenApiDocuments {
  allInOne: OpenApiDocument;
  gateway: OpenApiDocument;
}

const documentPath = '/api/docs/openapi.json';
const gatewayServices: ServiceName[] = ['user', 'product', 'order', 'analytics'];

/**
 * Both documents, from one all-in-one process on the embedded defaults: its own document, and the
 * gateway's merged one with each service's document served by an app of that service alone (as a
 * service process of the cluster serves it), all on the one embedded database.
 */
export async function readOpenApiDocuments(): Promise<OpenApiDocuments> {
  const embedded = testTargets().find((target) => target.name === 'embedded')!;
  const allInOne = await startAllInOne(embedded, allInOneServices());
  const alone: Array<{ close(): Promise<void> }> = [];
  try {
    const upstreams: Partial<Record<ServiceName, string[]>> = {};
    for (const service of gatewayServices) {
      const app = await buildApp(allInOne.infra, [allInOne.services[service]], service);
      alone.push(app);
      upstreams[service] = [await app.listen({ host: '127.0.0.1', port: 0 })];
    }
    const gateway = await startTestGateway({}, { upstreams, modules: [(infra) => createMonitoring(infra, { rules: [] })] });
    alone.push(gateway);
    return {
      allInOne: (await (await fetch(`${allInOne.url}${documentPath}`)).json()) as OpenApiDocument,
      gateway: (await (await fetch(`${gateway.url}${documentPath}`)).json()) as OpenApiDocument,
    };
  } finally {
    for (const running of alone.reverse()) await running.close();
    await allInOne.dispose();
  }
}
