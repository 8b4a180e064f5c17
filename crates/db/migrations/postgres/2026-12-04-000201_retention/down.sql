DROP INDEX rooms_site_updated;
DROP TABLE leases;
DROP TABLE site_retention;
