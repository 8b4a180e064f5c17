DROP TABLE search_backfill;
DROP TABLE visitor_terms;
DROP TABLE room_terms;
