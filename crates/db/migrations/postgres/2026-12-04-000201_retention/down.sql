DROP INDEX rooms_site_updated;
DROP TABLE expiring_rooms;
DROP TABLE leases;
DROP TABLE site_retention;
