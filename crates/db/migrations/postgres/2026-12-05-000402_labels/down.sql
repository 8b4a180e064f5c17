DROP TABLE room_labels;
