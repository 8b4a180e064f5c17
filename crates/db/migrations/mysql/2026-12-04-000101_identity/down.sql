DROP TABLE verified_visitors;
DROP TABLE site_identities;
