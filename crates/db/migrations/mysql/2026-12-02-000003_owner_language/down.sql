ALTER TABLE owners DROP COLUMN language;
