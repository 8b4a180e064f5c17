DROP INDEX rooms_site_updated ON rooms;
DROP TABLE leases;
DROP TABLE site_retention;
