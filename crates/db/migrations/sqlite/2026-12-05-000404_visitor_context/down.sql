DROP TABLE visitor_contexts;
