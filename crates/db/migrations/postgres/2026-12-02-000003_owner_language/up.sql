-- The dashboard's language, chosen per owner (the widget's is per site, on sites).
ALTER TABLE owners ADD COLUMN language VARCHAR(8) NOT NULL DEFAULT 'en';
