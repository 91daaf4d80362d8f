import { Readable } from 'node:stream';
import Type from 'typebox';
import { CatalogImportQuery, type CatalogImportQuery as ImportQuery, catalogImportPath, ErrorCode, IdParam, NoFields, ProductQuery } from '@dema/contracts';
import { AppError, notFound, problemResponses, requiresToken, type DemaApp } from '@dema/platform';
import type { CatalogTransfer } from '../catalog-transfer.ts';

// Omit drops additionalProperties: a misspelt filter must be a 400, not the whole catalog.
const ExportQuery = Type.Omit(ProductQuery, ['limit', 'offset', 'sort', 'ids'], { additionalProperties: false });

/** CSV import and export of the catalog, for admins (products:write). */
export async function catalogTransferRoutes(app: DemaApp, transfer: CatalogTransfer): Promise<void> {
  const write = { permission: 'products:write' as const };

  await app.register(async (scope) => {
    // The file is read as it arrives, never held whole: its size is the importer's to limit
    // (DEMA_IMPORT_BODY_LIMIT), as a parser of the stream itself is under no route's bodyLimit.
    scope.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

    scope.post(
      catalogImportPath,
      {
        config: {
          ...write,
          documentedBody: { contentType: 'text/csv', schema: Type.String({ description: 'The CSV file: a header row, then one row per product or variant' }) },
        },
        schema: {
          tags: ['products'],
          operationId: 'importProducts',
          summary: 'Import products from CSV',
          description:
            'A `text/csv` body, columns as in docs/import-export.md. All or nothing: every row is checked, and a file with any rejected row ' +
            'is refused (422, `invalidParams` naming each as `row N: column`) with nothing written. `dryRun=true` checks and reports only. ' +
            'Up to 1,000 rows are answered with the report (200); a bigger file starts a job (202) to poll at `Location`.',
          security: requiresToken,
          querystring: CatalogImportQuery,
          response: { 200: Type.Ref('CatalogImportReport'), 202: Type.Ref('CatalogImportJob'), ...problemResponses(400, 401, 403, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        if (!(request.body instanceof Readable)) {
          throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'A catalog import is a CSV file: send it as text/csv');
        }
        // Registered in a scope of its own (for the CSV parser), where the type provider does not reach.
        const { dryRun } = request.query as ImportQuery;
        const outcome = await transfer.importCsv(request.body, dryRun);
        if ('report' in outcome) return outcome.report;
        return reply.status(202).header('location', `/api/products/import/${outcome.job.id}`).send(outcome.job);
      },
    );
  });

  app.get(
    '/api/products/import/:id',
    {
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'getProductImport',
        summary: 'Follow a product import',
        description: 'Rows done out of the total while RUNNING; the report when SUCCEEDED, the problem (as the 422 would have been) when FAILED.',
        security: requiresToken,
        params: IdParam,
        querystring: NoFields,
        response: { 200: Type.Ref('CatalogImportJob'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const job = await transfer.importJob(request.params.id);
      if (job === undefined) throw notFound(ErrorCode.IMPORT_JOB_NOT_FOUND, `No import job ${request.params.id}`);
      return job;
    },
  );

  app.get(
    '/api/products/export',
    {
      config: write,
      schema: {
        tags: ['products'],
        operationId: 'exportProducts',
        summary: 'Export products as CSV',
        description: 'The products matching the filters of the product list, streamed as CSV in the columns the import reads.',
        security: requiresToken,
        querystring: ExportQuery,
        response: {
          200: { description: 'CSV, a header row then one row per product or variant', content: { 'text/csv': { schema: Type.String() } } },
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="products.csv"').send(transfer.exportCsv(request.query)),
  );
}
