DROP TABLE room_ratings;
