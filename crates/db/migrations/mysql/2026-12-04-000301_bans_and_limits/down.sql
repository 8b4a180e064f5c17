-- Mirrors the other backends' down.sql.
DROP TABLE site_limits;
DROP TABLE site_bans;
