-- Catalog import (issue 21): a CSV of 100,000 rows inserts products, variants, images and
-- specifications a thousand rows per statement. The documents of variants, specifications and images
-- were rebuilt by a row trigger, once per inserted row: 300,000 rebuilds for such a file. Like the
-- products' triggers since 0005, theirs now run once per statement over the rows it changed (a
-- transition table, so one trigger per event).

CREATE OR REPLACE FUNCTION product_parts_changed() RETURNS trigger AS $$
BEGIN
  PERFORM refresh_product_documents(ARRAY(SELECT DISTINCT product_id FROM changed_parts));
  RETURN NULL;
END;
$$ LANGUAGE plpgsql SET search_path FROM CURRENT;

DO $$
DECLARE
  part TEXT;
BEGIN
  FOREACH part IN ARRAY ARRAY['product_variants', 'product_specifications', 'product_images'] LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', part || '_document', part);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed_parts
                    FOR EACH STATEMENT EXECUTE FUNCTION product_parts_changed()', part || '_inserted_document', part);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed_parts
                    FOR EACH STATEMENT EXECUTE FUNCTION product_parts_changed()', part || '_updated_document', part);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed_parts
                    FOR EACH STATEMENT EXECUTE FUNCTION product_parts_changed()', part || '_deleted_document', part);
  END LOOP;
END $$;
DROP FUNCTION product_part_changed();

-- An import of a big file runs as a job the admin polls. Every instance reads the row, so a poll
-- answered by another instance than the one importing still sees the job; `done_rows` is written by
-- the importing instance as it goes (outside the import's transaction), `report` or `problem` when it ends.
CREATE TABLE catalog_import_jobs (
  id UUID PRIMARY KEY,
  status VARCHAR(16) NOT NULL CONSTRAINT catalog_import_jobs_status CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  dry_run BOOLEAN NOT NULL,
  total_rows INT NOT NULL,
  done_rows INT NOT NULL DEFAULT 0,
  report JSONB,
  problem JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ
);
