-- Run once by the mysql image on first start (docker-entrypoint-initdb.d). The database
-- and user come from MYSQL_DATABASE / MYSQL_USER / MYSQL_PASSWORD; PinTalk's tables are
-- created by the account service's migrations at start-up. Every table declares
-- utf8mb4_bin itself; this makes it the database default too.
ALTER DATABASE pintalk CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
