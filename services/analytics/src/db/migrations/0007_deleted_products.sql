-- A deleted product left its last stock level here for ever, so the low-stock report kept listing a
-- product the shop no longer has. PRODUCT_DELETED now marks it: the deletion is the product's latest
-- state by (time, place in the history), as a stock level is, so a STOCK_UPDATED of it that arrives
-- late does not bring it back. The report's index leaves deleted products out.
ALTER TABLE product_stock ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT false;
DROP INDEX product_stock_level;
CREATE INDEX product_stock_level ON product_stock (stock, product_id) WHERE NOT deleted;
